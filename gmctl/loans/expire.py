"""`loans expire --older-than 30d`, for cron: idle open applications move to `expired`.

An application is idle when it is submitted or under_review and nothing has changed on it
(updated_at, else created_at) for longer than --older-than. The run, under the cron lock
`loans-expire` (gmctl.retention.lock.exclusive_run: a second run exits 75 at once):

- works in batches (default 500 rows), each its own transaction: the batch's rows are locked with
  FOR UPDATE SKIP LOCKED (an officer working one of them keeps it), moved to expired with
  decision_date (Lagos) and reason, and for each: its linked request moves to cancelled (unless
  already final) with a service_status_history row, the customer is notified, and one audit entry
  records the before and after values (changed_by and actor are NULL: cron has no person);
- set-based SQL, so a batch is a handful of statements whatever its size;
- a dry run counts what would expire and changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import text

from gmctl.errors import InvalidInput
from gmctl.when import LAGOS

DEFAULT_BATCH = 500
MAX_BATCH = 10_000

IDLE = ("application_status IN ('submitted', 'under_review')"
        " AND COALESCE(updated_at, created_at) < :cutoff")

EXPIRE_SQL = f"""
WITH chosen AS (
    SELECT id FROM loan_applications WHERE {IDLE} ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED
), moved AS (
    UPDATE loan_applications l SET application_status = 'expired', updated_at = CAST(:now AS timestamptz),
           decision_date = CAST(:today AS date), decision_reason = CAST(:reason AS text)
    FROM chosen c, loan_applications old
    WHERE l.id = c.id AND old.id = c.id
    RETURNING l.id, l.user_id, l.loan_type, l.service_request_id, old.application_status AS previous,
              old.decision_date AS old_date, old.decision_reason AS old_reason
), requests AS (
    UPDATE service_requests r SET status = 'cancelled', updated_at = CAST(:now AS timestamptz)
    FROM moved m, service_requests old
    WHERE r.id = m.service_request_id AND old.id = r.id
      AND r.status NOT IN ('completed', 'cancelled', 'failed')
    RETURNING r.id, old.status AS previous, m.id AS application_id, m.previous AS loan_previous
), history AS (
    INSERT INTO service_status_history (service_request_id, previous_status, new_status, changed_by, reason,
                                        metadata, created_at)
    SELECT id, previous, 'cancelled', NULL, CAST(:reason AS text),
           jsonb_build_object('loan_application_id', application_id,
                              'loan_status', jsonb_build_array(loan_previous, 'expired')), CAST(:now AS timestamptz)
    FROM requests
    RETURNING id
), notes AS (
    INSERT INTO notifications (user_id, type, title, message, action_data, delivery_methods, created_at)
    SELECT user_id, 'service_update', 'Loan application #' || id || ' has expired',
           'Your ' || loan_type || ' loan application #' || id
               || ' has expired: it was not completed in time. You may apply again.',
           jsonb_build_object('loan_application_id', id, 'service_request_id', service_request_id,
                              'new_status', 'expired'),
           ARRAY['in_app'], CAST(:now AS timestamptz)
    FROM moved
    RETURNING id
), logs AS (
    INSERT INTO system_logs (level, message, actor_id, action, target_type, target_id, changes, created_at)
    SELECT 'INFO', 'reason: ' || CAST(:reason AS text), NULL, 'loans.expire', 'loan_application', id::text,
           jsonb_build_object(
               'application_status', jsonb_build_object('old', previous, 'new', 'expired'),
               'decision_date', jsonb_build_object('old', old_date, 'new', CAST(:today AS date)),
               'decision_reason', jsonb_build_object('old', old_reason, 'new', CAST(:reason AS text))),
           CAST(:now AS timestamptz)
    FROM moved
    RETURNING id
)
SELECT (SELECT count(*) FROM moved) AS applications, (SELECT count(*) FROM requests) AS requests,
       (SELECT count(*) FROM notes) AS notifications, (SELECT count(*) FROM logs) AS audit_entries,
       (SELECT count(*) FROM history) AS history_rows
"""


@dataclass
class ExpireResult:
    """What a run did (or, dry, would do)."""

    older_than: timedelta
    cutoff: datetime
    dry_run: bool
    applications: int = 0
    requests: int = 0
    batches: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        span = f"{self.older_than.days}d" if self.older_than.days else str(self.older_than)
        if self.dry_run:
            return (f"loans expire dry run: {self.applications} application(s) idle for over {span} would expire; "
                    f"nothing changed")
        return (f"loans expire: {self.applications} application(s) idle for over {span} expired, "
                f"{self.requests} request(s) cancelled, in {self.batches} batch(es), {self.seconds:.1f}s")


def check_batch(batch: int) -> int:
    if not 1 <= batch <= MAX_BATCH:
        raise InvalidInput(f"--batch-size {batch} is out of range", hint=f"give 1 to {MAX_BATCH}")
    return batch


def reason_for(older_than: timedelta) -> str:
    return f"expired: no activity for over {older_than.days} days" if older_than.days else \
        f"expired: no activity for over {older_than}"


def expire_idle(engine: Any, older_than: timedelta, now: datetime, *, batch: int = DEFAULT_BATCH,
                dry_run: bool = False, on_batch: Callable[[ExpireResult], None] | None = None) -> ExpireResult:
    """Expire idle applications in batches, each committed on its own. The caller holds the lock."""
    check_batch(batch)
    if older_than <= timedelta(0):
        raise InvalidInput("--older-than must be more than zero", hint="write it like 30d")
    cutoff = now - older_than
    result = ExpireResult(older_than, cutoff, dry_run)
    started = time.perf_counter()
    if dry_run:
        with engine.connect() as conn:
            result.applications = conn.execute(
                text(f"SELECT count(*) FROM loan_applications WHERE {IDLE}"), {"cutoff": cutoff}).scalar_one()
        return result
    params = {"cutoff": cutoff, "now": now, "today": now.astimezone(LAGOS).date(), "reason": reason_for(older_than),
              "batch": batch}
    while True:
        with engine.begin() as conn:
            row = conn.execute(text(EXPIRE_SQL), params).one()
        if row.applications == 0:
            break
        result.applications += row.applications
        result.requests += row.requests
        result.batches += 1
        result.seconds = time.perf_counter() - started
        if on_batch is not None:
            on_batch(result)
        if row.applications < batch:
            break
    result.seconds = time.perf_counter() - started
    return result
