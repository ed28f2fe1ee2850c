"""`gmctl db seed --scale N`: N base units of rows (gmctl.seed.scale_rows), loaded with COPY.

Resumable, one unit per transaction: each unit is committed whole (its foreign keys all point
inside it), so an interrupted load keeps the units it finished and nothing half-made. N is the
size wanted, not an increment: units already present (recognised by their marker user,
s<unit>u0000@SCALE_DOMAIN) are skipped, so running the same command again finishes an
interrupted load, or does nothing. Indexes and triggers stay in place (the database is live);
ids are reserved from the sequences, so other writers can keep working meanwhile.
Two loads at once would build the same units: a session advisory lock makes the second exit 75.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from gmctl.errors import Busy, InvalidInput
from gmctl.seed import SCALE_DOMAIN
from gmctl.seed.scale_rows import (
    COLUMNS,
    REQUESTS,
    SEQUENCES,
    TABLES,
    USERS,
    UnitIds,
    UnitRows,
    expected_messages,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MAX_UNITS = 10_000
MAX_JOBS = 8
DEFAULT_JOBS = 2
STOP_CHECK = 2_048  # rows between looks at the stop flag
LOCK_KEY = 0x676D5345  # "gmSE": the scale seed's advisory lock
_MARKER = re.compile(r"^s(\d+)u0000@")
# What a worker reports: (unit, its row counts, None) when a unit is committed,
# (None, None, exception) when it failed, (None, None, None) when it has stopped.
_Report = tuple[int | None, Counter[str] | None, BaseException | None]


@dataclass(frozen=True)
class UnitLoaded:
    unit: int
    done: int  # units loaded so far in this run
    todo: int  # units this run loads in all
    rows: int  # rows loaded so far in this run
    seconds: float


@dataclass
class ScaleResult:
    target: int
    present_before: int
    loaded: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def table_rows(self) -> list[dict[str, Any]]:
        extra = [table for table in self.counts if table not in TABLES]  # file_uploads, with a files root
        return [{"table": table, "rows": self.counts.get(table, 0)} for table in (*TABLES, *extra)]


def summary_line(result: ScaleResult) -> str:
    if result.loaded == 0:
        return f"the database already holds scale units 1 to {result.target}: nothing to load"
    return (f"loaded {result.loaded} unit(s), {result.rows:,} rows in {result.seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s); units 1 to {result.target} are present")


def record_scale_run(session: "Session", result: ScaleResult, now: datetime) -> None:
    """The run's one audit entry; a run that loaded nothing changed nothing and logs nothing."""
    from gmctl import audit

    if result.loaded:
        audit.record(session, None, "db.seed.scale", "database", None,
                     {"scale_units": (result.present_before, result.present_before + result.loaded)},
                     message=f"scale seed: {summary_line(result)}", at=now)


def check_units(units: int) -> int:
    if not 1 <= units <= MAX_UNITS:
        raise InvalidInput(f"--scale must be between 1 and {MAX_UNITS}, not {units}",
                           hint=f"one unit is {REQUESTS:,} requests and {USERS:,} users; "
                                "100 is about 1M requests")
    return units


def seed_scale(engine: "Engine", units: int, now: datetime, *, jobs: int = DEFAULT_JOBS,
               on_unit: Callable[[UnitLoaded], None] | None = None, files_root: Any = None) -> ScaleResult:
    """Bring the database to `units` scale units, `jobs` units at a time, committing each one whole.

    With `files_root`, each unit also gets file_uploads rows with real files there (gmctl.seed.demo_files)."""
    check_units(units)
    check_jobs(jobs)
    raw = engine.raw_connection()
    pg = raw.driver_connection  # psycopg's own connection: COPY needs it
    try:
        _take_lock(pg)
        try:
            present = units_present(pg)
            pg.commit()
            todo = [unit for unit in range(1, units + 1) if unit not in present]
            result = ScaleResult(target=units, present_before=units - len(todo))
            started = time.perf_counter()
            _load_units(engine, todo, units, now, jobs, result, on_unit, files_root)
            if result.loaded:
                # Fresh statistics, or the planner keeps believing these tables are empty and the
                # first queries after a load (nested loops over a million rows) take minutes.
                pg.execute(f"ANALYZE {', '.join(TABLES)}")
                pg.commit()
                result.seconds = time.perf_counter() - started
            return result
        finally:
            pg.rollback()
            pg.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
            pg.commit()
    finally:
        raw.close()


def check_jobs(jobs: int) -> int:
    if not 1 <= jobs <= MAX_JOBS:
        raise InvalidInput(f"--jobs must be between 1 and {MAX_JOBS}, not {jobs}",
                           hint="one job is one database connection loading one unit at a time")
    return jobs


def units_present(pg: Any) -> set[int]:
    """The unit numbers whose marker user exists: those units were committed whole."""
    found = pg.execute("SELECT email FROM users WHERE email LIKE %s", (f"s%u0000@{SCALE_DOMAIN}",)).fetchall()
    return {int(match.group(1)) for (email,) in found if (match := _MARKER.match(email))}


def _take_lock(pg: Any) -> None:
    locked = pg.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]
    pg.commit()
    if not locked:
        raise Busy("another scale seed is loading into this database",
                   hint="wait for it to finish, then run again")


def _load_units(engine: "Engine", todo: list[int], of: int, now: datetime, jobs: int, result: ScaleResult,
                on_unit: Callable[[UnitLoaded], None] | None, files_root: Any = None) -> None:
    """Workers, each on its own connection, take units from a queue; this thread reports progress.

    The server does most of the work (a search-vector trigger and 15 indexes on service_requests),
    so two connections load almost twice as fast as one. On an error or Ctrl-C the others stop
    within a few thousand rows and roll their unit back; finished units stay.
    """
    waiting: queue.SimpleQueue[int] = queue.SimpleQueue()
    for unit in todo:
        waiting.put(unit)
    reports: queue.SimpleQueue[_Report] = queue.SimpleQueue()
    stop = threading.Event()
    workers = [threading.Thread(target=_work, args=(engine, waiting, reports, stop, of, now, files_root), daemon=True)
               for _ in range(min(jobs, len(todo)))]
    for worker in workers:
        worker.start()
    started, running = time.perf_counter(), len(workers)
    try:
        while running:
            try:
                unit, counts, failure = reports.get(timeout=0.2)  # a timeout keeps Ctrl-C responsive
            except queue.Empty:
                continue
            if failure is not None:
                raise failure
            if unit is None:
                running -= 1
                continue
            result.counts.update(counts or {})
            result.loaded += 1
            result.seconds = time.perf_counter() - started
            if on_unit is not None:
                on_unit(UnitLoaded(unit, result.loaded, len(todo), result.rows, result.seconds))
    finally:
        stop.set()
        for worker in workers:
            worker.join()


def _work(engine: "Engine", waiting: "queue.SimpleQueue[int]", reports: "queue.SimpleQueue[Any]",
          stop: threading.Event, of: int, now: datetime, files_root: Any = None) -> None:
    raw = engine.raw_connection()
    pg = raw.driver_connection
    try:
        while not stop.is_set():
            try:
                unit = waiting.get_nowait()
            except queue.Empty:
                break
            counts = load_unit(pg, unit, of, now, stop, files_root)
            pg.commit()
            reports.put((unit, counts, None))
    except _Stopped:
        pass
    except BaseException as exc:  # handed to the reporting thread, which raises it
        reports.put((None, None, exc))
    finally:
        try:
            pg.rollback()
        finally:
            raw.close()
            reports.put((None, None, None))


class _Stopped(Exception):
    """Another worker failed or the user pressed Ctrl-C: abandon this unit."""


def load_unit(pg: Any, unit: int, of: int, now: datetime,
              stop: threading.Event | None = None, files_root: Any = None) -> Counter[str]:
    """COPY one unit's rows in the caller's transaction; rows per table."""
    ids = UnitIds(
        users=reserve_ids(pg, SEQUENCES["users"], USERS),
        requests=reserve_ids(pg, SEQUENCES["service_requests"], REQUESTS),
        messages=reserve_ids(pg, SEQUENCES["messages"], expected_messages()),
    )
    builder = UnitRows(unit, of, now, ids)
    counts: Counter[str] = Counter()
    with pg.cursor() as cursor:
        for table in TABLES:
            written = 0
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in builder.rows(table):
                    copy.write_row(row)
                    written += 1
                    if written % STOP_CHECK == 0 and stop is not None and stop.is_set():
                        raise _Stopped
            counts[table] = written
        if files_root is not None:
            from gmctl.seed.demo_files import SCALE_COLUMNS, scale_unit_files

            files = scale_unit_files(files_root, unit, ids.users, ids.requests, now)
            with cursor.copy(f"COPY file_uploads ({', '.join(SCALE_COLUMNS)}) FROM STDIN") as copy:
                for row in files:
                    copy.write_row(row)
            counts["file_uploads"] = len(files)
    return counts


def reserve_ids(pg: Any, sequence: str, count: int) -> list[int]:
    """`count` ids from a sequence, taken as any insert would take them: safe beside other writers."""
    query = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"
    rows = pg.execute(query, (sequence, count)).fetchall()
    return [row[0] for row in rows]
