"""A retention run: the lock, the work connection, each chosen policy in turn, and its log line."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from gmctl.retention import archive, deletes
from gmctl.retention.batches import BatchFailed, BatchSizer, PolicyOutcome, run_batches
from gmctl.retention.lock import APPLICATION_NAMES, exclusive_run
from gmctl.retention.policies import ARCHIVE, Cutoffs, Periods, cutoffs

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator

DEFAULT_BATCH_SIZE = 500
# A killed client's server process notices the lost connection within this (PostgreSQL 14+).
CLIENT_CHECK = "1s"
# A batch waits at most this long for a row someone else holds, then retries smaller once.
BATCH_LOCK_TIMEOUT = "1s"
# Each batch is a whole move, so a crash that loses the last commits only undoes whole batches, which
# the next run repeats: no need to wait for every commit to reach the disk (about 7% faster).
SYNCHRONOUS_COMMIT = "off"


@dataclass
class RetentionReport:
    dry_run: bool
    started_at: datetime
    policies: list[PolicyOutcome] = field(default_factory=list)
    seconds: float = 0.0
    failure: str | None = None
    interrupted: bool = False

    @property
    def complete(self) -> bool:
        return self.failure is None and not self.interrupted and all(p.complete for p in self.policies)

    @property
    def status(self) -> str:
        if self.dry_run:
            return "dry-run"
        if self.failure:
            return "failed"
        if self.interrupted:
            return "interrupted"
        return "done" if self.complete else "stopped"


Progress = Callable[[str, int, int], None]  # (policy, units done by this batch, planned total)


def _no_progress(policy: str, advance: int, total: int) -> None:
    pass


def _outcome(policy: str, periods: Periods, limits: Cutoffs) -> PolicyOutcome:
    kinds = archive.COUNT_KINDS if policy == ARCHIVE else (deletes.RULES[policy].kind,)
    return PolicyOutcome(policy, str(periods.of(policy)), limits.of(policy), {k: 0 for k in kinds})


def plan_retention(engine: Engine, policies: tuple[str, ...], periods: Periods,
                   now: datetime) -> RetentionReport:
    """Exact counts of what a run would do now, per policy; changes nothing."""
    limits = cutoffs(periods, now)
    report = RetentionReport(dry_run=True, started_at=now)
    started = time.monotonic()
    # One snapshot for every count, so the numbers agree with each other.
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        for policy in policies:
            outcome = _outcome(policy, periods, limits)
            if policy == ARCHIVE:
                outcome.counts = archive.archive_plan(conn, limits.archive)
                outcome.planned = outcome.counts["requests"]
            else:
                rule = deletes.RULES[policy]
                archive_cutoff = limits.archive if ARCHIVE in policies else None
                planned = deletes.delete_plan(conn, rule, limits.of(policy), archive_cutoff)
                outcome.counts = {rule.kind: planned}
                outcome.planned = outcome.counts[rule.kind]
            outcome.complete = True
            report.policies.append(outcome)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class Retention:
    """A real run. `report` fills in as batches commit, so a failure or Ctrl-C can still be logged."""

    engine: Engine
    policies: tuple[str, ...]
    periods: Periods
    clock: Callable[[], datetime]
    batch_size: int = DEFAULT_BATCH_SIZE
    max_runtime: float | None = None
    progress: Progress = _no_progress
    report: RetentionReport = field(init=False)

    def __post_init__(self) -> None:
        self.report = RetentionReport(dry_run=False, started_at=self.clock())

    def run(self) -> RetentionReport:
        """Take the lock (Busy, exit 75, if another run has it), then run each policy in order."""
        started = time.monotonic()
        deadline = started + self.max_runtime if self.max_runtime else None
        limits = cutoffs(self.periods, self.report.started_at)
        try:
            with exclusive_run(self.engine, "retention"), self.engine.connect() as conn:
                _prepare(conn)
                for policy in self.policies:
                    outcome = _outcome(policy, self.periods, limits)
                    self.report.policies.append(outcome)
                    self._run_policy(conn, outcome, deadline)
        except BatchFailed as exc:
            self.report.failure = exc.message
            raise
        except KeyboardInterrupt:
            self.report.interrupted = True
            raise
        finally:
            self.report.seconds = time.monotonic() - started
        return self.report

    def _run_policy(self, conn: Connection, outcome: PolicyOutcome, deadline: float | None) -> None:
        began = time.monotonic()
        if outcome.policy == ARCHIVE:
            with conn.begin():
                outcome.planned, last = archive.archive_scope(conn, outcome.cutoff)
            work: Any = archive.ArchiveBatches(outcome.cutoff, self.clock)
        else:
            rule = deletes.RULES[outcome.policy]
            with conn.begin():
                outcome.planned, last = deletes.delete_scope(conn, rule, outcome.cutoff)
            work = deletes.DeleteBatches(rule, outcome.cutoff)
        self.progress(outcome.policy, 0, outcome.planned)
        if outcome.planned:
            run_batches(conn, work, outcome, BatchSizer(self.batch_size), last, deadline=deadline,
                        progress=lambda n: self.progress(outcome.policy, n, outcome.planned))
        else:
            outcome.complete = True
        outcome.seconds = time.monotonic() - began


def _prepare(conn: Connection) -> None:
    with conn.begin():
        conn.execute(text(
            "SELECT set_config('application_name', :name, false),"
            " set_config('lock_timeout', :lock_timeout, false),"
            " set_config('client_connection_check_interval', :check, false),"
            " set_config('synchronous_commit', :sync, false)"
        ), {"name": APPLICATION_NAMES["retention"], "lock_timeout": BATCH_LOCK_TIMEOUT,
            "check": CLIENT_CHECK, "sync": SYNCHRONOUS_COMMIT})


# -- the log line ----------------------------------------------------------------------------
NOUNS = {"history": "status history row(s)", "temp-files": "temporary file record(s)"}
HEADS = {"dry-run": "retention dry run", "done": "retention done",
         "stopped": "retention stopped at --max-runtime, work remains", "failed": "retention failed",
         "interrupted": "retention interrupted"}


def summary(report: RetentionReport) -> str:
    """One line a person reads in a cron mail or in system_logs."""
    parts = []
    for outcome in report.policies:
        if outcome.policy == ARCHIVE:
            moved = sum(outcome.counts.get(m.kind, 0) for m in archive.CHILD_MOVES)
            done = "to archive" if report.dry_run else "archived"
            requests = outcome.counts.get("requests", 0)
            parts.append(f"{requests} request(s) {done} with {moved} dependent row(s)")
        else:
            done = "to delete" if report.dry_run else "deleted"
            parts.append(f"{outcome.rows} {NOUNS[outcome.policy]} {done}")
    return f"{HEADS[report.status]}: " + ("; ".join(parts) or "nothing to do") + f" in {report.seconds:.1f}s"


def record_run(session: "Session", report: RetentionReport, operator: "Operator | None",
               database: str) -> None:
    """The run's one system_logs row, with every count."""
    from gmctl import audit

    changes = {f"{o.policy}.{kind}": (None, n) for o in report.policies for kind, n in o.counts.items() if n}
    changes["status"] = (None, report.status)
    level = "ERROR" if report.failure else "WARNING" if not report.complete else "INFO"
    message = summary(report) + (f" ({report.failure})" if report.failure else "")
    audit.record(session, operator, "db.retention", "database", database, changes, message=message,
                 level=level)
