"""`files list`: filters and keyset paging, newest first (id descending: ids follow upload time; never OFFSET)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from gmctl import paging
from gmctl.errors import InvalidInput
from gmctl.files.columns import SCAN_STATUSES, file_uploads as fu
from gmctl.files.sizes import parse_size
from gmctl.when import parse_moment

MAX_LIMIT = 1000
CURSOR_KIND = "files:newest"


@dataclass(frozen=True)
class FileFilter:
    """What `files list` narrows to. Sizes in bytes; `since` an aware moment (created at or after)."""

    scan_statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    temporary: bool | None = None
    public: bool | None = None
    user: str | None = None  # username, email or id
    request_id: int | None = None
    mime: str | None = None  # exact, or a family like image/*
    larger_than: int | None = None
    smaller_than: int | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class FileRow:
    id: int
    original_filename: str
    mime_type: str
    file_size: int
    virus_scan_status: str | None
    file_category: str | None
    owner: str | None
    service_request_id: int | None
    is_temporary: bool | None
    is_public: bool | None
    file_path: str
    file_hash: str | None
    created_at: datetime | None
    cursor: str = field(default="", repr=False)


@dataclass(frozen=True)
class FilePage:
    rows: list[FileRow]
    next_cursor: str | None


def make_filter(now: datetime, *, scan_statuses: list[str] | None = None, categories: list[str] | None = None,
                temporary: bool | None = None, public: bool | None = None, user: str | None = None,
                request_id: int | None = None, mime: str | None = None, larger_than: str | None = None,
                smaller_than: str | None = None, since: str | None = None) -> FileFilter:
    """A validated filter from what was typed; each bad value is InvalidInput naming its option."""
    statuses = tuple(s.strip().lower() for raw in scan_statuses or () for s in raw.split(",") if s.strip())
    for status in statuses:
        if status not in SCAN_STATUSES:
            raise InvalidInput(f"--scan-status {status!r} is not a scan status",
                               hint=f"one of {', '.join(SCAN_STATUSES)}")
    larger = parse_size(larger_than, what="--larger-than") if larger_than else None
    smaller = parse_size(smaller_than, what="--smaller-than") if smaller_than else None
    if larger is not None and smaller is not None and larger >= smaller:
        raise InvalidInput(f"--larger-than {larger_than} and --smaller-than {smaller_than} match nothing",
                           hint="the lower bound must be below the upper one")
    return FileFilter(
        scan_statuses=statuses,
        categories=tuple(c.strip() for raw in categories or () for c in raw.split(",") if c.strip()),
        temporary=temporary, public=public, user=user.strip() if user else None, request_id=request_id,
        mime=mime.strip().lower() if mime else None, larger_than=larger, smaller_than=smaller,
        since=parse_moment(since, now, what="--since") if since else None,
    )


def conditions(conn: Any, flt: FileFilter) -> list[Any]:
    """The WHERE conditions of a filter (the user is looked up: NotFound if there is no such person)."""
    found: list[Any] = []
    if flt.scan_statuses:
        found.append(fu.c.virus_scan_status.in_(flt.scan_statuses))
    if flt.categories:
        found.append(fu.c.file_category.in_(flt.categories))
    if flt.temporary is not None:
        found.append(fu.c.is_temporary.is_(flt.temporary))
    if flt.public is not None:
        found.append(fu.c.is_public.is_(flt.public))
    if flt.user:
        from gmctl.requests.people import find_person

        found.append(fu.c.user_id == find_person(conn, flt.user, role="user").id)
    if flt.request_id is not None:
        found.append(fu.c.service_request_id == flt.request_id)
    if flt.mime:
        if flt.mime.endswith("/*"):
            found.append(fu.c.mime_type.ilike(flt.mime[:-1].replace("%", r"\%").replace("_", r"\_") + "%"))
        else:
            found.append(fu.c.mime_type.ilike(flt.mime.replace("%", r"\%").replace("_", r"\_")))
    if flt.larger_than is not None:
        found.append(fu.c.file_size > flt.larger_than)
    if flt.smaller_than is not None:
        found.append(fu.c.file_size < flt.smaller_than)
    if flt.since is not None:
        found.append(fu.c.created_at >= flt.since)
    return found


def list_files(conn: Any, flt: FileFilter, *, limit: int = 50, after: str | None = None) -> FilePage:
    """One page of uploads, newest first; `after` is the cursor the previous page printed."""
    from gmctl.requests.columns import users

    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit {limit} is out of range", hint=f"give 1 to {MAX_LIMIT}")
    where = conditions(conn, flt)
    if after:
        (last_id,) = paging.decode_cursor(after, CURSOR_KIND, (int,))
        where.append(fu.c.id < last_id)
    owner = users.alias("owner")
    query = (
        select(fu, owner.c.username.label("owner"))
        .select_from(fu.outerjoin(owner, owner.c.id == fu.c.user_id))
        .where(*where)
        .order_by(fu.c.id.desc())
        .limit(limit + 1)
    )
    fetched = conn.execute(query).all()
    rows = [
        FileRow(r.id, r.original_filename, r.mime_type, r.file_size, r.virus_scan_status, r.file_category,
                r.owner, r.service_request_id, r.is_temporary, r.is_public, r.file_path, r.file_hash,
                r.created_at, paging.encode_cursor(CURSOR_KIND, [r.id]))
        for r in fetched[:limit]
    ]
    return FilePage(rows, rows[-1].cursor if len(fetched) > limit and rows else None)
