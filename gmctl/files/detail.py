"""`files show ID`: the record, and what is on disk: exists, size, whether the sha256 matches, sniffed type."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gmctl.errors import NotFound
from gmctl.files.columns import file_uploads as fu
from gmctl.files.storage import PathRefused, contained_path, open_contained
from gmctl.files.verify import check_file


def file_document(conn: Any, record_id: int, root: Path, quarantine_dir: Path) -> dict[str, Any]:
    """One upload as a document: every column, the owner's username, and an `on_disk` part.

    on_disk: path (absolute, or null if refused), exists, size (bytes), size_matches, sha256_matches
    (null when there is no recorded hash or no file), integrity (a `files verify` status), sniffed_type
    and type_check (match / unknown / mismatch), quarantined. NotFound (exit 3) when there is no such id.
    """
    from gmctl.files.quarantine import is_quarantined, quarantine_location
    from gmctl.files.sniff import SnifferUnavailable, compare, sniffer
    from gmctl.requests.columns import users

    owner = users.alias("owner")
    row = conn.execute(select(fu, owner.c.username.label("owner"))
                       .select_from(fu.outerjoin(owner, owner.c.id == fu.c.user_id))
                       .where(fu.c.id == record_id)).first()
    if row is None:
        raise NotFound(f"no file upload {record_id}", hint="`gmctl files list` shows the ids")
    document = {key: value for key, value in row._mapping.items()}
    integrity = check_file(row.id, row.file_path, row.file_size, row.file_hash, root)
    try:
        absolute: str | None = str(contained_path(row.file_path, root))
    except PathRefused:
        absolute = None
    quarantined = is_quarantined(row.virus_scan_result)
    disk: dict[str, Any] = {
        "path": absolute,
        "exists": integrity.status not in ("missing",) and integrity.disk_size is not None,
        "size": integrity.disk_size,
        "size_matches": None if integrity.disk_size is None else integrity.disk_size == row.file_size,
        "sha256_matches": (None if integrity.disk_hash is None or not integrity.recorded_hash
                           else integrity.disk_hash == integrity.recorded_hash),
        "integrity": integrity.status,
        "integrity_detail": integrity.detail or None,
        "sniffed_type": None,
        "type_check": None,
        "quarantined": quarantined,
    }
    if quarantined:
        disk["quarantine_path"] = str(quarantine_location(row.id, row.file_path, quarantine_dir, root))
    if disk["exists"]:
        try:
            sniff = sniffer()
            fd = open_contained(row.file_path, root)
            try:
                disk["sniffed_type"] = sniff(fd)
            finally:
                os.close(fd)
            disk["type_check"] = compare(row.mime_type, disk["sniffed_type"])
        except SnifferUnavailable as exc:
            disk["type_check"] = f"not sniffed: {exc.message}"
        except (OSError, PathRefused):
            pass
    document["on_disk"] = disk
    return document
