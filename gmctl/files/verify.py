"""`files verify`: each file's size and sha256 recomputed and compared with its record.

The anchor is GitLab's `gitlab:uploads:check`: a fresh checksum against the stored one, in batches,
over an id range. Each file is one of:
- ok: the size and the sha256 match (or the record has no hash and the size matches);
- size_mismatch: the size on disk differs (the hash is not computed: it cannot match);
- hash_mismatch: same size, different content;
- missing: no file at the record's path;
- unreadable: it exists but cannot be read, or its path leaves the storage root (not opened).

Hashing reads the file in 1 MiB chunks into one reused buffer (hashlib.file_digest's method with a
larger buffer), so memory stays flat whatever the file sizes; bench/files.py measures it against
`sha256sum` on the same files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import select

from gmctl.files.columns import file_uploads as fu
from gmctl.files.storage import PathRefused, open_contained

OK, HASH_MISMATCH, SIZE_MISMATCH, MISSING, UNREADABLE = "ok", "hash_mismatch", "size_mismatch", "missing", "unreadable"
STATUSES = (OK, HASH_MISMATCH, SIZE_MISMATCH, MISSING, UNREADABLE)
READ_SIZE = 1024 * 1024  # bytes per read
BATCH = 500  # records per query


@dataclass(frozen=True)
class Integrity:
    """One file's check: status, what the record says and what is on disk (bytes, hex sha256)."""

    id: int
    file_path: str
    status: str
    recorded_size: int
    disk_size: int | None
    recorded_hash: str | None
    disk_hash: str | None
    detail: str = ""


def sha256_fd(fd: int, buffer: bytearray | None = None) -> str:
    """The hex sha256 of everything readable from `fd`, read in READ_SIZE chunks into one buffer."""
    digest = hashlib.sha256()
    buffer = buffer or bytearray(READ_SIZE)
    view = memoryview(buffer)
    while True:
        count = os.readv(fd, [view])
        if not count:
            break
        digest.update(view[:count])
    return digest.hexdigest()


def check_file(record_id: int, file_path: str, size: int, file_hash: str | None, root: Path, *,
               buffer: bytearray | None = None) -> Integrity:
    """Check one record's file under `root`. Never raises for what is on disk: that is the result."""
    recorded = (file_hash or "").strip().lower() or None

    def result(status: str, disk_size: int | None = None, disk_hash: str | None = None, detail: str = "") -> Integrity:
        return Integrity(record_id, file_path, status, size, disk_size, recorded, disk_hash, detail)

    try:
        fd = open_contained(file_path, root)
    except PathRefused as exc:
        return result(UNREADABLE, detail=f"{exc.reason}; not opened")
    except (FileNotFoundError, NotADirectoryError):
        return result(MISSING, detail="no file at this path")
    except OSError as exc:
        return result(UNREADABLE, detail=exc.strerror or str(exc))
    try:
        disk_size = os.fstat(fd).st_size
        if disk_size != size:
            return result(SIZE_MISMATCH, disk_size, detail=f"recorded {size} bytes, {disk_size} on disk")
        try:
            disk_hash = sha256_fd(fd, buffer)
        except OSError as exc:
            return result(UNREADABLE, disk_size, detail=f"read failed: {exc.strerror or exc}")
        if recorded is None:
            return result(OK, disk_size, disk_hash, detail="no recorded hash: size checked only")
        if disk_hash != recorded:
            return result(HASH_MISMATCH, disk_size, disk_hash, detail="content differs from the recorded sha256")
        return result(OK, disk_size, disk_hash)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class VerifyScope:
    """Which records to check: created at or after `since`; ids from `id_from` to `id_to` inclusive."""

    since: datetime | None = None
    id_from: int | None = None
    id_to: int | None = None


def records(conn: Any, scope: VerifyScope, *, batch: int = BATCH) -> Iterator[Any]:
    """The records in scope in id order, BATCH at a time by keyset (each batch its own short query)."""
    last = (scope.id_from - 1) if scope.id_from is not None else 0
    while True:
        query = select(fu.c.id, fu.c.file_path, fu.c.file_size, fu.c.file_hash).where(fu.c.id > last)
        if scope.id_to is not None:
            query = query.where(fu.c.id <= scope.id_to)
        if scope.since is not None:
            query = query.where(fu.c.created_at >= scope.since)
        rows = conn.execute(query.order_by(fu.c.id).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id


def count_in_scope(conn: Any, scope: VerifyScope) -> int:
    from sqlalchemy import func

    query = select(func.count()).select_from(fu)
    if scope.id_from is not None:
        query = query.where(fu.c.id >= scope.id_from)
    if scope.id_to is not None:
        query = query.where(fu.c.id <= scope.id_to)
    if scope.since is not None:
        query = query.where(fu.c.created_at >= scope.since)
    return int(conn.execute(query).scalar_one())


@dataclass
class VerifyReport:
    """Counts per status, the problems (every non-ok Integrity), bytes hashed and seconds taken."""

    counts: dict[str, int]
    problems: list[Integrity]
    bytes_read: int = 0
    seconds: float = 0.0

    @property
    def checked(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_files(conn: Any, scope: VerifyScope, root: Path, *,
                 progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Check every record in scope; problems are kept, ok files only counted."""
    import time

    started = time.monotonic()
    report = VerifyReport({status: 0 for status in STATUSES}, [])
    buffer = bytearray(READ_SIZE)
    for row in records(conn, scope):
        found = check_file(row.id, row.file_path, row.file_size, row.file_hash, root, buffer=buffer)
        report.counts[found.status] += 1
        if found.disk_hash is not None and found.disk_size:
            report.bytes_read += found.disk_size
        if found.status != OK:
            report.problems.append(found)
        if progress is not None:
            progress(1)
    report.seconds = time.monotonic() - started
    return report


def summary(report: VerifyReport) -> str:
    """One line: `verified 42 file(s), 1.2 MiB hashed in 0.1 s: 40 ok, 1 hash_mismatch, 1 missing`."""
    from gmctl.files.sizes import format_size

    parts = [f"{n} {status}" for status, n in report.counts.items() if n]
    return (f"verified {report.checked} file(s), {format_size(report.bytes_read)} hashed in {report.seconds:.1f} s: "
            + (", ".join(parts) or "nothing to check"))
