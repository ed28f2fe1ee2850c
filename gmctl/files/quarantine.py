"""`files quarantine ID --reason` and `files release ID --reason`: a file moved out of reach and back.

Quarantine moves the file to `<quarantine dir>/<id>/<its name>` (mode 0700 directories), marks the
record infected, and writes `quarantined: <reason>; <what the record said before>` into
virus_scan_result, with an audit entry naming the operator and the reason. The record's file_path is
left as the platform wrote it, so release knows where to put the file back. Release moves it back
and sets the status to pending: a released file is scanned again before anyone may call it clean.
Both run in the caller's transaction; if the database write fails after the move, the file is moved
back, so disk and record never disagree.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from gmctl.errors import GmctlError, InvalidInput, NotFound
from gmctl.files.storage import contained_path, relative_parts, stat_contained

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator

PREFIX = "quarantined: "


def quarantine_location(record_id: int, file_path: str, quarantine_dir: Path, root: Path) -> Path:
    """Where a record's file sits while quarantined."""
    return quarantine_dir / str(record_id) / relative_parts(file_path, root)[-1]


def is_quarantined(result: str | None) -> bool:
    return (result or "").startswith(PREFIX)


def _record(session: "Session", record_id: int) -> Any:
    row = session.execute(text(
        "SELECT id, file_path, virus_scan_status, virus_scan_result FROM file_uploads WHERE id = :id FOR UPDATE"),
        {"id": record_id}).first()
    if row is None:
        raise NotFound(f"no file upload {record_id}", hint="`gmctl files list` shows the ids")
    return row


def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required", hint='add --reason "why"; it goes into the audit trail')
    return reason.strip()


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.path.lexists(target):
        raise GmctlError(f"{target} already exists: nothing was moved", hint="look at it and move it aside first")
    shutil.move(str(source), str(target))


def _move_with_the_record(session: "Session", source: Path, target: Path) -> None:
    """Move the file, then flush the record's change; if the flush fails, the file goes back."""
    _move(source, target)
    try:
        session.flush()
    except BaseException:
        shutil.move(str(target), str(source))
        raise


def quarantine_file(session: "Session", record_id: int, root: Path, quarantine_dir: Path,
                    operator: "Operator | None", *, reason: str, now: datetime,
                    already_marked: bool = False) -> Path:
    """Move the file into quarantine and mark the record infected; returns where the file now is.

    Raises NotFound (no such record), InvalidInput (no reason, already quarantined), PathRefused
    (the path leaves the root), GmctlError (the file is missing, or the target exists).
    """
    from gmctl import audit

    reason = _require_reason(reason)
    row = _record(session, record_id)
    if is_quarantined(row.virus_scan_result):
        raise InvalidInput(f"file {record_id} is already quarantined", hint=f"`gmctl files release {record_id}` undoes it")
    if stat_contained(row.file_path, root) is None:
        raise GmctlError(f"file {record_id} is not on disk at {row.file_path}: nothing to quarantine",
                         hint="`gmctl files orphans` lists records without files")
    source, target = contained_path(row.file_path, root), quarantine_location(record_id, row.file_path, quarantine_dir, root)
    result = PREFIX + reason + (f"; {row.virus_scan_result}" if row.virus_scan_result else "")
    session.execute(text("UPDATE file_uploads SET virus_scan_status = 'infected', virus_scan_result = :r WHERE id = :id"),
                    {"r": result, "id": record_id})
    audit.record(session, operator, "files.quarantine", "file_upload", record_id,
                 {"virus_scan_status": ("infected" if already_marked else row.virus_scan_status, "infected"),
                  "location": (str(source), str(target))}, message=f"quarantine file {record_id}: {reason}", at=now)
    _move_with_the_record(session, source, target)
    return target


def release_file(session: "Session", record_id: int, root: Path, quarantine_dir: Path,
                 operator: "Operator | None", *, reason: str, now: datetime) -> Path:
    """Move a quarantined file back to its path and set the record pending (to be scanned again).

    Raises NotFound, InvalidInput (no reason, not quarantined), GmctlError (the quarantined copy is
    gone, or something is at the original path already).
    """
    from gmctl import audit

    reason = _require_reason(reason)
    row = _record(session, record_id)
    if not is_quarantined(row.virus_scan_result):
        raise InvalidInput(f"file {record_id} is not quarantined", hint="`gmctl files list --scan-status infected`")
    target = contained_path(row.file_path, root)  # PathRefused if the record's path leaves the root
    source = quarantine_location(record_id, row.file_path, quarantine_dir, root)
    if not source.is_file() or source.is_symlink():
        raise GmctlError(f"the quarantined copy of file {record_id} is not at {source}: nothing was moved",
                         hint="check the quarantine directory ([files] quarantine_dir)")
    result = f"released from quarantine: {reason}; to be scanned again"
    session.execute(text("UPDATE file_uploads SET virus_scan_status = 'pending', virus_scan_result = :r WHERE id = :id"),
                    {"r": result, "id": record_id})
    audit.record(session, operator, "files.release", "file_upload", record_id,
                 {"virus_scan_status": (row.virus_scan_status, "pending"), "location": (str(source), str(target))},
                 message=f"release file {record_id}: {reason}", at=now)
    _move_with_the_record(session, source, target)
    try:
        source.parent.rmdir()  # the empty per-record directory; never a file
    except OSError:
        pass
    return target
