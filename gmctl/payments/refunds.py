"""Refunds: `payments refund`, `refund-done`, `refund-failed`. gmctl records them; it never calls a
gateway (the platform or a person executes the refund there).

The rules, all in the caller's transaction:
- the payment row is locked (SELECT ... FOR UPDATE) before anything is read, so two refunds of one
  payment at once run one after the other and the second sees the first;
- an idempotency key is looked up first: the same key with the same amount (or with no --amount)
  returns the first refund unchanged (`replayed`); the same key with another amount is InvalidInput;
  a key is unique per payment (uq_payment_refunds_idempotency), up to 255 characters as Stripe's;
- only a completed payment can be refunded; the sum of its non-failed refunds (requested +
  processed) never exceeds its amount; no --amount means the whole remainder;
- a refund that brings the sum to the amount makes the payment `refunded`; a refund that later
  fails makes a refunded payment `completed` again;
- every refund, refund-done and refund-failed writes one audit entry and one customer notification
  (type payment_confirmation).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from gmctl.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import Payment, PaymentRefund

MAX_KEY = 255


@dataclass(frozen=True)
class RefundResult:
    refund: dict[str, Any]
    payment_status: str
    replayed: bool  # the idempotency key had been used: this is the first result, nothing changed


def refunded_total(session: "Session", payment_id: int) -> Decimal:
    """NGN: the sum of a payment's refunds that have not failed (requested or processed)."""
    from gmctl.db.models import PaymentRefund

    total = session.scalar(select(func.coalesce(func.sum(PaymentRefund.amount), 0))
                           .where(PaymentRefund.payment_id == payment_id, PaymentRefund.status != "failed"))
    return Decimal(total).quantize(Decimal("0.01"))


def refund_row(refund: "PaymentRefund") -> dict[str, Any]:
    from gmctl.money import Naira

    return {"id": refund.id, "payment_id": refund.payment_id, "amount": Naira(refund.amount),
            "status": refund.status, "reason": refund.reason, "idempotency_key": refund.idempotency_key,
            "gateway_ref": refund.gateway_refund_reference, "failure_reason": refund.failure_reason,
            "requested_at": refund.requested_at, "processed_at": refund.processed_at,
            "failed_at": refund.failed_at}


def request_refund(session: "Session", operator: Any, payment_key: str, *, amount: Decimal | None,
                   reason: str, now: datetime, idempotency_key: str | None = None) -> RefundResult:
    """Record a refund of `amount` NGN (None: the whole remainder) of the payment `payment_key`.

    Raises NotFound (exit 3) for no such payment; InvalidInput (exit 2) for a payment that is not
    completed, an amount over what is left, an empty reason, or a reused key with another amount."""
    from gmctl.db.models import PaymentRefund
    from gmctl.payments.lookup import find_payment

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("--reason is empty", hint="say why the money goes back, e.g. --reason 'Service cancelled'")
    key = (idempotency_key or "").strip() or None
    if idempotency_key is not None and key is None:
        raise InvalidInput("--idempotency-key is empty", hint="leave it out, or give the key your retry reuses")
    if key is not None and len(key) > MAX_KEY:
        raise InvalidInput(f"--idempotency-key is {len(key)} characters; at most {MAX_KEY}",
                           hint="use a shorter key (a UUID is 36 characters)")
    if amount is not None:
        if amount != amount.quantize(Decimal("0.01")) or amount <= 0:
            raise InvalidInput(f"refund amount {amount} is not a positive amount to the kobo",
                               hint="amounts are NGN with at most 2 decimals")
        amount = amount.quantize(Decimal("0.01"))
    payment = find_payment(session, payment_key, lock=True)
    if key is not None:
        earlier = session.execute(select(PaymentRefund).where(
            PaymentRefund.payment_id == payment.id, PaymentRefund.idempotency_key == key)).scalar_one_or_none()
        if earlier is not None:
            if amount is not None and amount != earlier.amount:
                raise InvalidInput(
                    f"idempotency key {key!r} was used for refund {earlier.id} of {earlier.amount} NGN, "
                    f"not {amount}: nothing was changed",
                    hint="a retry must repeat the same amount; a new refund needs a new key")
            return RefundResult(refund_row(earlier), payment.status or "", replayed=True)
    if payment.status != "completed":
        raise InvalidInput(
            f"payment {payment.id} is {payment.status}: only completed payments can be refunded",
            hint=f"`gmctl payments show {payment.id}` shows its refunds and state")
    already = refunded_total(session, payment.id)
    left = payment.amount - already
    if amount is None:
        amount = left
    if amount <= 0 or left <= 0:
        raise InvalidInput(f"payment {payment.id} has nothing left to refund ({already} NGN refunded)",
                           hint=f"`gmctl payments show {payment.id}` lists its refunds")
    if amount > left:
        raise InvalidInput(
            f"a refund of {amount} NGN is more than the {left} NGN left of payment {payment.id} "
            f"({payment.amount} paid, {already} already refunded or requested)",
            hint=f"refund at most {left}")
    refund = PaymentRefund(payment_id=payment.id, amount=amount, reason=reason,
                           idempotency_key=key or f"gmctl-{uuid.uuid4()}", status="requested",
                           requested_by=getattr(operator, "user_id", None), requested_at=now, updated_at=now)
    session.add(refund)
    session.flush()
    before = payment.status
    if already + amount == payment.amount:
        payment.status = "refunded"
        payment.updated_at = now
    _audit(session, operator, "payments.refund", refund, now,
           {"amount": (None, amount), "status": (None, "requested"), "payment_status": (before, payment.status)})
    _notify(session, payment, refund, now, "Refund on its way",
            f"We have started a refund of {_naira(amount)} for your payment {payment.gateway_reference or payment.id}."
            " It reaches your account once the bank processes it.")
    session.flush()
    return RefundResult(refund_row(refund), payment.status or "", replayed=False)


def lock_refund(session: "Session", refund_id: int) -> "tuple[PaymentRefund, Payment]":
    """The refund and its payment, both locked FOR UPDATE (payment first, the order every change
    takes). NotFound (exit 3) when there is no such refund."""
    from gmctl.db.models import Payment, PaymentRefund

    payment_id = session.scalar(select(PaymentRefund.payment_id).where(PaymentRefund.id == refund_id))
    if payment_id is None:
        raise NotFound(f"no refund {refund_id}", hint="`gmctl payments show PAYMENT` lists a payment's refunds")
    payment = session.execute(select(Payment).where(Payment.id == payment_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()
    refund = session.execute(select(PaymentRefund).where(PaymentRefund.id == refund_id).with_for_update()
                             .execution_options(populate_existing=True)).scalar_one()
    return refund, payment


def mark_processed(session: "Session", operator: Any, refund_id: int, *, gateway_ref: str, now: datetime,
                   source: str = "payments.refund-done") -> RefundResult:
    """A requested refund was executed at the gateway: status processed, its reference and time kept.
    Marking it again with the same reference changes nothing (replayed); a failed refund, or another
    reference, is InvalidInput (exit 2)."""
    ref = (gateway_ref or "").strip()
    if not ref:
        raise InvalidInput("--gateway-ref is empty", hint="give the gateway's reference for the refund")
    refund, payment = lock_refund(session, refund_id)
    if refund.status == "processed":
        if refund.gateway_refund_reference == ref:
            return RefundResult(refund_row(refund), payment.status or "", replayed=True)
        raise InvalidInput(f"refund {refund_id} was already processed with gateway reference "
                           f"{refund.gateway_refund_reference!r}", hint="nothing was changed")
    if refund.status == "failed":
        raise InvalidInput(f"refund {refund_id} is marked failed: it cannot become processed",
                           hint="record a new refund with `gmctl payments refund` if the money must go back")
    refund.status, refund.gateway_refund_reference = "processed", ref
    refund.processed_at = refund.updated_at = now
    session.flush()
    _audit(session, operator, source, refund, now,
           {"status": ("requested", "processed"), "gateway_refund_reference": (None, ref)})
    _notify(session, payment, refund, now, "Refund completed",
            f"Your refund of {_naira(refund.amount)} has been processed.")
    return RefundResult(refund_row(refund), payment.status or "", replayed=False)


def mark_failed(session: "Session", operator: Any, refund_id: int, *, reason: str, now: datetime) -> RefundResult:
    """The gateway refused a requested refund: status failed with the reason. Its amount no longer
    counts, so a payment that was `refunded` by it becomes `completed` again (and refundable)."""
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("--reason is empty", hint="say what the gateway answered")
    refund, payment = lock_refund(session, refund_id)
    if refund.status != "requested":
        raise InvalidInput(f"refund {refund_id} is {refund.status}, not requested: nothing was changed",
                           hint=f"`gmctl payments show {payment.id}` shows its refunds")
    refund.status, refund.failure_reason = "failed", why
    refund.failed_at = refund.updated_at = now
    session.flush()
    before = payment.status
    if payment.status == "refunded" and refunded_total(session, payment.id) < payment.amount:
        payment.status, payment.updated_at = "completed", now
    _audit(session, operator, "payments.refund-failed", refund, now,
           {"status": ("requested", "failed"), "payment_status": (before, payment.status)})
    _notify(session, payment, refund, now, "Refund could not be completed",
            f"Your refund of {_naira(refund.amount)} could not be completed. Our staff will contact you.")
    return RefundResult(refund_row(refund), payment.status or "", replayed=False)


def _naira(amount: Decimal) -> str:
    from gmctl.money import format_naira

    return format_naira(amount)


def _audit(session: "Session", operator: Any, action: str, refund: "PaymentRefund", now: datetime,
           changes: dict[str, tuple[Any, Any]]) -> None:
    from gmctl import audit

    audit.record(session, operator, action, "payment_refund", refund.id, changes,
                 message=f"{action} refund {refund.id} of payment {refund.payment_id}: {refund.amount} NGN", at=now)


def _notify(session: "Session", payment: "Payment", refund: "PaymentRefund", now: datetime, title: str,
            message: str) -> None:
    from gmctl.db.models import Notification

    session.add(Notification(
        user_id=payment.user_id, type="payment_confirmation", title=title, message=message,
        action_data={"payment_id": payment.id, "refund_id": refund.id, "refund_status": refund.status,
                     "amount": str(refund.amount)},
        delivery_methods=["in_app"], created_at=now))
