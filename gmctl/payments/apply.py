"""`payments reconcile --apply`: the changes an export proves, and nothing else.

- A payment the ledger has in flight (pending or processing) that the gateway reports as completed
  becomes completed, completed_at = the gateway's paid-at time (the run's time if it gives none);
  one reported failed becomes failed with the gateway's message as failure_reason.
- A payment the gateway reports reversed (refunded): its requested refunds are marked processed,
  with `<gateway>:<reference>` as the gateway reference when the export names no refund of its own.
- Only matched and status_mismatch lines are used: a line with another amount or currency, a
  duplicate or a stranger changes nothing. No amount is ever written.
Each change writes one audit entry (action payments.reconcile) naming the old and new status.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PROVEN = """
SELECT r.line, r.payment_id, r.ledger_status, r.mapped_status, r.paid_at, r.message
FROM recon_result r
WHERE r.category = 'status_mismatch' AND r.ledger_status IN ('pending', 'processing')
  AND r.mapped_status IN ('completed', 'failed')
ORDER BY r.payment_id"""
REFUNDS = """
SELECT r.line, r.reference, f.id AS refund_id
FROM recon_result r JOIN payment_refunds f ON f.payment_id = r.payment_id
WHERE r.category IN ('matched', 'status_mismatch') AND r.mapped_status = 'refunded' AND f.status = 'requested'
ORDER BY f.id"""


def apply_proven(session: "Session", operator: Any, *, now: datetime, gateway: str) -> dict[str, int]:
    """Apply what recon_result proves (see the module text); returns {"status": n, "refunds": n}."""
    from gmctl import audit
    from gmctl.payments.refunds import mark_processed

    connection = session.connection()
    moved = 0
    for row in connection.execute(text(PROVEN)).all():
        new = row.mapped_status
        if new == "completed":
            connection.execute(text(
                "UPDATE payments SET status = 'completed', completed_at = :at, updated_at = :now WHERE id = :id"
            ), {"at": row.paid_at or now, "now": now, "id": row.payment_id})
        else:
            connection.execute(text(
                "UPDATE payments SET status = 'failed', failure_reason = :why, updated_at = :now WHERE id = :id"
            ), {"why": row.message or f"failed at {gateway}", "now": now, "id": row.payment_id})
        connection.execute(text("UPDATE recon_result SET applied = :what WHERE line = :line"),
                           {"what": f"→ {new}", "line": row.line})
        audit.record(session, operator, "payments.reconcile", "payment", row.payment_id,
                     {"status": (row.ledger_status, new)},
                     message=f"payments.reconcile payment {row.payment_id}: {row.ledger_status} -> {new} "
                             f"({gateway} export line {row.line})", at=now)
        moved += 1
    marked = 0
    for row in connection.execute(text(REFUNDS)).all():
        mark_processed(session, operator, row.refund_id, gateway_ref=f"{gateway}:{row.reference}", now=now,
                       source="payments.reconcile")
        connection.execute(text("UPDATE recon_result SET applied = coalesce(applied || '; ', '') || :what"
                                " WHERE line = :line"), {"what": f"refund {row.refund_id} processed", "line": row.line})
        marked += 1
    session.flush()
    return {"status": moved, "refunds": marked}
