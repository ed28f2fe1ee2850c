"""`payments expire-pending --older-than 24h`: the cron sweep that closes payments left in flight.

Payments still pending or processing whose created_at is older than the cut-off become cancelled,
with failure_reason "expired: no gateway result after <span>". In batches of `batch_size`, each
its own transaction (rows taken with FOR UPDATE SKIP LOCKED, so a payment that a person or a
reconcile run holds is left for the next run), under the payments-expire lock (exit 75 when
another run holds it). One audit entry per payment. A dry run counts and changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from gmctl.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_BATCH = 500
BATCH = """
UPDATE payments p SET status = 'cancelled', failure_reason = :reason, updated_at = :now
FROM (SELECT id, status FROM payments WHERE status IN ('pending', 'processing') AND created_at < :cutoff
      ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED) old
WHERE p.id = old.id
RETURNING p.id, old.status AS previous"""
COUNT = "SELECT count(*) FROM payments WHERE status IN ('pending', 'processing') AND created_at < :cutoff"


@dataclass(frozen=True)
class ExpireReport:
    dry_run: bool
    cutoff: datetime
    expired: int
    batches: int
    seconds: float

    def summary_line(self) -> str:
        from gmctl.when import lagos_stamp

        since = f"pending or processing since before {lagos_stamp(self.cutoff)}"
        if self.dry_run:
            return f"expire-pending dry run: would cancel {self.expired:,} payment(s) {since}; nothing changed"
        return (f"expire-pending: cancelled {self.expired:,} payment(s) {since}"
                f" in {self.batches} batch(es), {self.seconds:.1f}s")


def span_words(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24}d" if hours % 24 == 0 and hours >= 24 else f"{hours}h"


def expire_pending(engine: "Engine", operator: Any, *, older_than: timedelta, now: datetime,
                   dry_run: bool = False, batch_size: int = DEFAULT_BATCH) -> ExpireReport:
    """Cancel stale in-flight payments (see the module text). Busy (exit 75) when another run holds
    the payments-expire lock; InvalidInput (exit 2) for a span under an hour or a bad batch size."""
    from sqlalchemy.orm import Session

    from gmctl import audit
    from gmctl.retention.lock import exclusive_run

    if older_than < timedelta(hours=1):
        raise InvalidInput("--older-than must be at least 1h",
                           hint="a payment can take minutes at the bank; 24h is the usual cut-off")
    if not 1 <= batch_size <= 10_000:
        raise InvalidInput(f"--batch-size must be between 1 and 10000, not {batch_size}")
    cutoff = now - older_than
    reason = f"expired: no gateway result after {span_words(older_than)}"
    started = time.monotonic()
    with exclusive_run(engine, "payments-expire"):
        if dry_run:
            with engine.connect() as conn:
                count = conn.execute(text(COUNT), {"cutoff": cutoff}).scalar_one()
            return ExpireReport(True, cutoff, count, 0, time.monotonic() - started)
        expired = batches = 0
        while True:
            with Session(engine) as session, session.begin():
                rows = session.connection().execute(
                    text(BATCH), {"reason": reason, "now": now, "cutoff": cutoff, "batch": batch_size}).all()
                for row in rows:
                    audit.record(session, operator, "payments.expire-pending", "payment", row.id,
                                 {"status": (row.previous, "cancelled")},
                                 message=f"payments.expire-pending payment {row.id}: {row.previous} -> cancelled "
                                         f"({reason})", at=now)
            if not rows:
                break
            expired += len(rows)
            batches += 1
            if len(rows) < batch_size:
                break
    return ExpireReport(False, cutoff, expired, batches, time.monotonic() - started)
