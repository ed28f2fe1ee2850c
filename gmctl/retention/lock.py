"""One run at a time: a session-level advisory lock held on a dedicated autocommit connection.

The lock is session level (pg_try_advisory_lock), not transaction level, because it must survive
the commit of every batch; and it lives on a connection of its own, which is closed (not returned
to the pool) at the end, so the lock can never leak into another command. Behind a transaction-
pooling proxy a session lock means nothing: gmctl must reach PostgreSQL directly for these jobs.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from gmctl.errors import Busy

# pg_try_advisory_lock(int, int): the first key says "gmctl", the second which job.
NAMESPACE = 0x676D6374  # "gmct"
# Every cron job of every group takes its lock here (one mechanism): add a job, never a second lock module.
JOBS = {"retention": 7, "maintenance": 8, "loans-expire": 9, "payments-expire": 10,
        "payments-reconcile": 11, "files-scan": 12, "files-verify": 13}
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
                  leftover_wait: float = LEFTOVER_WAIT_SECONDS) -> Iterator[None]:
    """Hold the job's advisory lock for the block, or raise Busy (exit 75) at once."""
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        taken = conn.execute(text("SELECT pg_try_advisory_lock(:ns, :job)"),
                             {"ns": NAMESPACE, "job": JOBS[job]}).scalar_one()
        if not taken:
            raise Busy(f"another {job} run is active{_holder(conn, job)}",
                       hint="this run was skipped; nothing was changed. Try again when the other run ends")
        _wait_for_leftovers(conn, job, leftover_wait)
        yield
    finally:
        # Closing the server session is what releases a session-level lock for certain.
        conn.invalidate()
        conn.close()


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
