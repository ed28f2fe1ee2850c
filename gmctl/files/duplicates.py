"""`files duplicates`: records grouped by file_hash (sha256), with counts and the bytes the copies waste.

Wasted bytes in a group: all its sizes but one (the largest is the one kept), i.e. sum - max.
Largest waste first; records without a hash are not grouped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from gmctl.errors import InvalidInput

MAX_LIMIT = 1000


@dataclass(frozen=True)
class DuplicateGroup:
    file_hash: str
    count: int
    total_bytes: int
    wasted_bytes: int
    ids: list[int]


def find_duplicates(conn: Any, *, limit: int = 50, min_count: int = 2) -> list[DuplicateGroup]:
    """The `limit` groups wasting most bytes, each with its record ids in id order."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit {limit} is out of range", hint=f"give 1 to {MAX_LIMIT}")
    rows = conn.execute(text(
        "SELECT file_hash, count(*) AS n, sum(file_size) AS total, sum(file_size) - max(file_size) AS wasted,"
        " array_agg(id ORDER BY id) AS ids FROM file_uploads WHERE file_hash IS NOT NULL AND file_hash <> ''"
        " GROUP BY file_hash HAVING count(*) >= :min ORDER BY wasted DESC, file_hash LIMIT :limit"),
        {"min": max(2, min_count), "limit": limit}).all()
    return [DuplicateGroup(r.file_hash, int(r.n), int(r.total), int(r.wasted), list(r.ids)) for r in rows]
