"""Database maintenance that works, unlike the seed's perform_maintenance() (seed-notes 6).

VACUUM and REINDEX CONCURRENTLY refuse to run inside a transaction block or a function, so each
step is its own top-level statement on an autocommit connection:
- VACUUM (ANALYZE), table by table: dead rows reclaimed and planner statistics refreshed (this is
  the seed's ANALYZE; VACUUM FULL only with --full, because it locks each table for its duration);
- REINDEX INDEX CONCURRENTLY of indexes that are invalid (a failed CREATE INDEX CONCURRENTLY) or
  clearly bloated (gmctl.dbstats.bloat); leftovers of an interrupted REINDEX CONCURRENTLY
  (`*_ccnew`, `*_ccold`) are dropped concurrently instead, as PostgreSQL cannot reindex them.
A step that fails (a lock it could not get in time, say) is reported and the others still run.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from gmctl.dbstats import SYSTEM_SCHEMAS
from gmctl.dbstats.bloat import estimate_bloat
from gmctl.dbstats.tables import table_exists
from gmctl.errors import NotFound
from gmctl.retention.lock import APPLICATION_NAMES, exclusive_run

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator

LOG_MESSAGE = "Database maintenance completed"  # the seed's line
LEFTOVER = re.compile(r"_cc(new|old)\d*$")
FULL_WARNING = ("VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock, held for the whole rewrite: "
                "nobody can read or write that table meanwhile. pg_repack does the same job online.")


@dataclass(frozen=True)
class Step:
    kind: str  # vacuum, vacuum-full, reindex, drop-leftover
    target: str
    reason: str
    sql: str


@dataclass
class StepResult:
    step: Step
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class MaintenanceReport:
    started_at: datetime
    full: bool
    results: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[StepResult]:
        return [r for r in self.results if not r.ok]

    def done(self, kind: str) -> list[str]:
        return [r.step.target for r in self.results if r.ok and r.step.kind == kind]


def _quoted(conn: Connection, schema: str, name: str) -> str:
    """schema.name, quoted only where PostgreSQL needs it."""
    quote = conn.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(name)}"


def _tables(conn: Connection, table: str | None) -> list[tuple[str, str]]:
    rows = conn.execute(text(
        f"SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN {SYSTEM_SCHEMAS}"
        f" AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
        f" AND (CAST(:t AS text) IS NULL OR c.relname = :t)"
        f" ORDER BY n.nspname, c.relname"), {"t": table}).all()
    return [(row[0], row[1]) for row in rows]


def _invalid_indexes(conn: Connection, table: str | None) -> list[tuple[str, str, str]]:
    rows = conn.execute(text(
        "SELECT n.nspname, c.relname, t.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE NOT i.indisvalid AND n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_toast%'"
        " AND (CAST(:t AS text) IS NULL OR t.relname = :t) ORDER BY c.relname"), {"t": table}).all()
    return [(row[0], row[1], row[2]) for row in rows]


def plan_maintenance(conn: Connection, *, table: str | None = None, full: bool = False) -> list[Step]:
    """The steps a run would take, in order."""
    if table is not None and not table_exists(conn, table):
        raise NotFound(f"no table {table!r} in this database", hint="`gmctl db stats tables` lists them")
    steps = []
    for schema, name in _tables(conn, table):
        target = _quoted(conn, schema, name)
        if full:
            steps.append(Step("vacuum-full", name, "--full", f"VACUUM (FULL, ANALYZE) {target}"))
        else:
            steps.append(Step("vacuum", name, "dead rows and statistics", f"VACUUM (ANALYZE) {target}"))
    invalid = set()
    for schema, index, _table in _invalid_indexes(conn, table):
        invalid.add(index)
        if LEFTOVER.search(index):
            steps.append(Step("drop-leftover", index, "left by an interrupted REINDEX CONCURRENTLY",
                              f"DROP INDEX CONCURRENTLY IF EXISTS {_quoted(conn, schema, index)}"))
        else:
            steps.append(Step("reindex", index, "invalid",
                              f"REINDEX INDEX CONCURRENTLY {_quoted(conn, schema, index)}"))
    if not full:  # VACUUM FULL rebuilds every index anyway
        for bloat in estimate_bloat(conn, table, kind="index"):
            if bloat.clearly_bloated and bloat.name not in invalid:
                steps.append(Step("reindex", bloat.name, f"about {bloat.wasted_percent:.0f}% bloat"
                                  f" ({bloat.wasted_bytes // 1024} kB)",
                                  f"REINDEX INDEX CONCURRENTLY {_quoted(conn, bloat.schema, bloat.name)}"))
    return steps


def run_maintenance(engine: Engine, steps: list[Step], *, started_at: datetime, full: bool,
                    progress: Callable[[Step], None] = lambda step: None) -> MaintenanceReport:
    """Run the steps one by one in autocommit, holding the maintenance lock (Busy if another run has it)."""
    report = MaintenanceReport(started_at=started_at, full=full)
    began = time.monotonic()
    with exclusive_run(engine, "maintenance"), engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SELECT set_config('application_name', :n, false)"),
                     {"n": APPLICATION_NAMES["maintenance"]})
        for step in steps:
            progress(step)
            result = StepResult(step)
            started = time.monotonic()
            try:
                conn.execute(text(step.sql))
            except DBAPIError as exc:
                result.error = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            result.seconds = time.monotonic() - started
            report.results.append(result)
    report.seconds = time.monotonic() - began
    return report


def record_maintenance(session: "Session", report: MaintenanceReport, operator: "Operator | None",
                       database: str) -> None:
    """The seed's 'Database maintenance completed' system_logs line, with what was done."""
    from gmctl import audit

    changes = {
        "vacuumed": (None, report.done("vacuum") + report.done("vacuum-full")),
        "reindexed": (None, report.done("reindex")),
        "dropped_leftovers": (None, report.done("drop-leftover")),
        "full": (None, report.full),
        "seconds": (None, round(report.seconds, 1)),
    }
    if report.failed:
        changes["failed"] = (None, [f"{r.step.sql}: {r.error}" for r in report.failed])
    message = LOG_MESSAGE if not report.failed else f"{LOG_MESSAGE} with {len(report.failed)} failed step(s)"
    audit.record(session, operator, "db.maintenance", "database", database, changes, message=message,
                 level="WARNING" if report.failed else "INFO")
