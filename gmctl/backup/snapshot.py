"""The backup's snapshot holder: a psql session in a REPEATABLE READ transaction that exports its snapshot.

pg_dump imports the snapshot (--snapshot), so every dump of a run and the row counts taken here see
the same instant. psql rather than the Python driver: importing psycopg costs about a third of a
second, which alone would be most of the 5% a backup may cost over pg_dump on a mid-sized database.
psql flushes each result, so the session is driven query by query: each query is followed by an
\\echo of a marker line, and the lines before the marker are its rows. With ON_ERROR_STOP, psql exits
on an error, which ends the output early and leaves the message on its stderr.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from types import TracebackType
from typing import NoReturn

from gmctl.backup.conninfo import for_tools, quote_ident
from gmctl.db.tools import PgTool
from gmctl.errors import DatabaseUnavailable, GmctlError

MARKER = "__gmctl_backup_end__"
SEPARATOR = "\x1f"
SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"

USER_TABLES = f"""SELECT n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_temp%'
   AND n.nspname NOT LIKE 'pg_toast_temp%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY 1"""


@dataclass(frozen=True)
class SnapshotFacts:
    snapshot: str
    server_version: str
    server_version_num: int
    database: str
    revision: str | None
    tables: list[str]

    @property
    def server_major(self) -> int:
        return self.server_version_num // 10000


class SnapshotSession:
    """`with SnapshotSession(psql, url) as session:` holds the exported snapshot until the block ends."""

    def __init__(self, psql: PgTool, url: str) -> None:
        self.target = for_tools(url)
        self.process = subprocess.Popen(
            [
                str(psql.path),
                "-X",
                "-w",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-F",
                SEPARATOR,
                f"--dbname={self.target.conninfo}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=self.target.environ,
        )

    def __enter__(self) -> "SnapshotSession":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def query(self, sql: str) -> list[list[str]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(f"{sql.rstrip().rstrip(';')};\n\\echo {MARKER}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            self._fail()
        rows = []
        for line in self.process.stdout:
            line = line.rstrip("\n")
            if line == MARKER:
                return rows
            rows.append(line.split(SEPARATOR))
        self._fail()

    def _fail(self) -> NoReturn:
        self.process.wait()
        message = (self.process.stderr.read() if self.process.stderr else "").strip()
        first = message.splitlines()[0] if message else f"psql exited with {self.process.returncode}"
        if "connection" in first.lower() or "could not" in first.lower():
            raise DatabaseUnavailable(
                f"cannot connect to the database: {first}",
                hint="check the server is running and the database URL",
            )
        raise GmctlError(f"the backup's snapshot session failed: {first}")

    def begin(self) -> SnapshotFacts:
        self.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # The counts run beside pg_dump, which is the bottleneck: one modest scan, not a burst of workers.
        self.query("SET LOCAL max_parallel_workers_per_gather = 0")
        snapshot, version, number, database, has_alembic = self.query(
            "SELECT pg_export_snapshot(), current_setting('server_version'),"
            " current_setting('server_version_num'),"
            " current_database(), to_regclass('alembic_version') IS NOT NULL"
        )[0]
        revision = None
        if has_alembic == "t":
            found = self.query("SELECT version_num FROM alembic_version LIMIT 1")
            revision = found[0][0] if found else None
        tables = [row[0] for row in self.query(USER_TABLES)]
        return SnapshotFacts(snapshot, version.split()[0], int(number), database, revision, tables)

    def row_counts(self, tables: list[str]) -> dict[str, int]:
        """Exact counts (count(*), not statistics), in the snapshot, in one round trip."""
        if not tables:
            return {}
        union = " UNION ALL ".join(
            f"SELECT {i}, count(*) FROM {quote_ident(t)}" for i, t in enumerate(tables)
        )
        return {tables[int(i)]: int(n) for i, n in self.query(union)}

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write("ROLLBACK;\n\\q\n")
                self.process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
