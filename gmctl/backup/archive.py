"""Reading a backup file without a server: its table of contents, its kind, whether it is complete.

A custom-format archive's table of contents comes from `pg_restore --list`, which reads every
entry's header and fails on a damaged one. A plain SQL dump has no table of contents: pg_dump ends
a complete one with a fixed trailer line, and it must create every table the manifest lists.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from gmctl.backup.client import first_error_line
from gmctl.db.tools import PgTool, find_pg_tool, tool_major
from gmctl.errors import GmctlError, InvalidInput

CUSTOM_MAGIC = b"PGDMP"
PLAIN_TRAILER = "-- PostgreSQL database dump complete"
# "123; 1259 16390 TABLE public users postgres" / "4567; 0 16390 TABLE DATA public users postgres"
_TOC_LINE = re.compile(r"^\d+;\s+\d+\s+\d+\s+(?P<type>TABLE DATA|TABLE)\s+(?P<schema>\S+)\s+(?P<name>\S+)")


@dataclass(frozen=True)
class Contents:
    format: str  # custom | plain
    tables: set[str] = field(default_factory=set)  # schema.table created by the file
    table_data: set[str] = field(default_factory=set)  # schema.table whose rows the file holds

    @property
    def kind(self) -> str:
        if self.format == "plain":
            return "schema"
        return "full" if self.tables else "data"


PLAIN_HEADER = b"--\n-- PostgreSQL database dump"


def check_backup_file(path: Path) -> Path:
    """`path` if it is a regular file; InvalidInput for a directory, a device or a pipe.

    A backup is read to its end (checksum, table of contents): /dev/zero, /dev/full or a FIFO
    never end, so they are refused before anything is read.
    """
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InvalidInput(f"no backup file {path}", hint="`gmctl db backup list` shows the backups") from None
    if not stat.S_ISREG(mode):
        what = "a directory" if stat.S_ISDIR(mode) else "a device or pipe, not a file"
        raise InvalidInput(f"{path} is {what}", hint="name a backup file made by `gmctl db backup`")
    return path


def file_format(path: Path) -> str:
    """custom (pg_dump -Fc) or plain (SQL); InvalidInput for anything else, read from its first bytes."""
    with check_backup_file(path).open("rb") as handle:
        head = handle.read(len(PLAIN_HEADER))
    if head.startswith(CUSTOM_MAGIC):
        return "custom"
    if head.startswith(b"--"):  # pg_dump's plain output opens with its "-- PostgreSQL database dump" banner
        return "plain"
    raise InvalidInput(f"{path} is not a pg_dump backup (neither a custom archive nor a plain SQL dump)",
                       hint="name a backup file made by `gmctl db backup`")


def pg_restore_for(archive_major: int, server_major: int = 0) -> PgTool:
    """A pg_restore that can read what pg_dump `archive_major` wrote and talk to the server."""
    return find_pg_tool("pg_restore", max(archive_major, server_major))


def psql_beside(tool: PgTool, server_major: int = 0) -> PgTool:
    """psql of the same installation as `tool`: pg_restore 18's SQL output needs psql 18 (\\restrict)."""
    sibling = tool.path.with_name("psql")
    major = tool_major(sibling) if sibling.exists() else None
    if major is not None and major >= server_major:
        return PgTool(sibling, major)
    return find_pg_tool("psql", max(tool.major, server_major))


def read_contents(path: Path, archive_major: int) -> Contents:
    """The file's table of contents; a GmctlError if it cannot be read (damaged or truncated)."""
    if file_format(path) == "plain":
        return _plain_contents(path)
    tool = pg_restore_for(archive_major)
    done = subprocess.run([str(tool.path), "--list", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise GmctlError(
            f"pg_restore cannot read the table of contents of {path.name}: {first_error_line(done.stderr)}"
        )
    tables: set[str] = set()
    data: set[str] = set()
    for line in done.stdout.splitlines():
        match = _TOC_LINE.match(line)
        if not match:
            continue
        qualified = f"{match['schema']}.{match['name']}"
        if match["type"] == "TABLE DATA":
            data.add(qualified)
        elif match["type"] == "TABLE":
            tables.add(qualified)
    return Contents("custom", tables, data)


_CREATE_TABLE = re.compile(r"^CREATE TABLE (?P<schema>[^.\s]+)\.(?P<name>[^\s(]+) \(", re.M)


def _plain_contents(path: Path) -> Contents:
    text = path.read_text(encoding="utf-8", errors="replace")
    if PLAIN_TRAILER not in text[-4096:]:
        raise GmctlError(f"{path.name} is truncated: the plain SQL dump lacks pg_dump's closing line")
    tables = {
        f"{m['schema'].strip(chr(34))}.{m['name'].strip(chr(34))}" for m in _CREATE_TABLE.finditer(text)
    }
    return Contents("plain", tables, set())
