"""One run at a time: a session-level advisory lock held on a dedicated autocommit connection.

Cron jobs take it without waiting (a second run is skipped, exit 75); schema changes (`db upgrade`,
`downgrade`, `init`, `adopt`) wait a bounded time for it, then exit 75 if it is still held.

The lock is session level (pg_try_advisory_lock), not transaction level, because it must survive
the commit of every batch; and it lives on a connection of its own, which is closed (not returned
to the pool) at the end, so the lock can never leak into another command.

Behind a transaction pooler (declared or detected, gmctl/db/engine.py) a session lock would stay on
whichever server connection took it: there the lock is transaction level (pg_try_advisory_xact_lock)
in a transaction the lock connection keeps open for the whole run, which pins one server connection
and ends with the run. That transaction takes no snapshot and no transaction id, so it holds back
no vacuum; a server idle_in_transaction_session_timeout shorter than the run would end it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from gmctl.errors import Busy

# pg_try_advisory_lock(int, int): the first key says "gmctl", the second which job.
NAMESPACE = 0x676D6374  # "gmct"
# Every cron job of every group takes its lock here (one mechanism): add a job, never a second lock module.
JOBS = {"retention": 7, "maintenance": 8, "loans-expire": 9, "payments-expire": 10,
        "payments-reconcile": 11, "files-scan": 12, "files-verify": 13,
        # db upgrade/downgrade/init/adopt and plain `alembic upgrade` (migrations/env.py): one at a time.
        "schema": 14}
# How a job is named in "another ... is active" (default: "<job> run").
LABELS = {"schema": "schema change"}
# The work connections name themselves, so a rerun can wait for a killed run's server side to end.
APPLICATION_NAMES = {job: f"gmctl {job}" for job in JOBS}
LEFTOVER_WAIT_SECONDS = 10.0


def _holder(conn: Connection, job: str) -> str:
    row = conn.execute(text(
        "SELECT a.pid, a.application_name, a.client_addr, a.backend_start FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.classid::bigint = :ns AND l.objid::bigint = :job"
        " AND l.objsubid = 2"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.granted"
    ), {"ns": NAMESPACE, "job": JOBS[job]}).first()
    if row is None:
        return ""
    since = f", connected since {row.backend_start:%Y-%m-%d %H:%M:%S %Z}" if row.backend_start else ""
    return f" (server pid {row.pid}{since})"


def _wait_for_leftovers(conn: Connection, job: str, wait: float) -> None:
    """A killed run's server process can outlive its lock connection for a moment while it rolls back."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        busy = conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
            " AND datname = current_database() AND pid <> pg_backend_pid()"
        ), {"name": APPLICATION_NAMES[job]}).scalar_one()
        if not busy:
            return
        time.sleep(0.1)


@contextmanager
def exclusive_run(engine: Engine, job: str, *,
                  leftover_wait: float = LEFTOVER_WAIT_SECONDS,
                  wait: float = 0.0,
                  on_wait: Callable[[str], None] | None = None,
                  busy_hint: str | None = None) -> Iterator[float]:
    """Hold the job's advisory lock for the block; yields the seconds spent waiting for it.

    wait: seconds to keep trying (every POLL_SECONDS) while another session holds the lock;
    0 (cron jobs) gives up at once. on_wait(message) is called once when the wait begins, naming
    the holder. Raises Busy (exit 75) when the lock is still held at the end of the wait.
    """
    label = LABELS.get(job, f"{job} run")
    conn = engine.connect()
    pooled = bool(conn.connection.info.get("gmctl_pooled"))
    if not pooled:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
    try:
        started = time.monotonic()
        deadline = started + max(wait, 0.0)
        while not _try_lock(conn, job, pooled):
            if time.monotonic() >= deadline:
                waited = f" after waiting {time.monotonic() - started:.0f} s" if wait > 0 else ""
                raise Busy(f"another {label} is active{_holder(conn, job)}{waited}",
                           hint=busy_hint or "this run was skipped; nothing was changed. "
                           "Try again when the other run ends")
            if on_wait is not None:
                on_wait(f"waiting up to {wait:.0f} s for another {label}{_holder(conn, job)}")
                on_wait = None
            time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.0)))
        waited_for = time.monotonic() - started
        _wait_for_leftovers(conn, job, leftover_wait)
        yield waited_for
    finally:
        # Closing the server session is what releases a session-level lock for certain.
        conn.invalidate()
        conn.close()


POLL_SECONDS = 0.2


def _try_lock(conn: Connection, job: str, pooled: bool) -> bool:
    """One try. Behind a transaction pooler the lock is the transaction-level kind (see above)."""
    take = "pg_try_advisory_xact_lock" if pooled else "pg_try_advisory_lock"
    return bool(conn.execute(text(f"SELECT {take}(:ns, :job)"),
                             {"ns": NAMESPACE, "job": JOBS[job]}).scalar_one())


def is_running(engine: Engine, job: str) -> bool:
    """Whether some session holds the job's lock (for tests and status displays)."""
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = :ns"
            " AND objid::bigint = :job AND objsubid = 2 AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ), {"ns": NAMESPACE, "job": JOBS[job]}).scalar_one())


def hold_for_transaction(conn: Connection, job: str) -> None:
    """Take the job's lock for the caller's transaction (pg_try_advisory_xact_lock: released at commit
    or rollback), or raise Busy (exit 75) at once. For jobs that are one transaction, such as
    `payments reconcile --apply`; the same keys as exclusive_run, so the two exclude each other."""
    taken = conn.execute(text("SELECT pg_try_advisory_xact_lock(:ns, :job)"),
                         {"ns": NAMESPACE, "job": JOBS[job]}).scalar_one()
    if not taken:
        raise Busy(f"another {job} run is active{_holder(conn, job)}",
                   hint="this run was skipped; nothing was changed. Try again when the other run ends")
