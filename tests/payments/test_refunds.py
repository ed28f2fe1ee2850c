"""Refund rules: completed only, never more than paid, idempotency keys, refunded when full,
audit and notification per refund, refund-done / refund-failed, and two refunds at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gmctl.db.models import Notification, PaymentRefund, SystemLog
from gmctl.errors import InvalidInput, NotFound
from gmctl.payments.refunds import mark_failed, mark_processed, refunded_total, request_refund
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user
from tests.payments.conftest import add_payment


def refund(session, key, amount=None, **kw):
    return request_refund(session, None, key, amount=None if amount is None else Decimal(amount),
                          reason=kw.pop("reason", "Customer cancelled"), now=FIXED_NOW, **kw)


def test_only_completed_payments_can_be_refunded(session, payer):
    for status in ("pending", "processing", "failed", "cancelled", "refunded"):
        p = add_payment(session, payer.id, status=status, reference=f"R-{status}")
        with pytest.raises(InvalidInput, match="only completed payments"):
            refund(session, str(p.id))


def test_partial_then_rest_makes_the_payment_refunded(session, payer):
    p = add_payment(session, payer.id, amount="10000.00", reference="R-1")
    first = refund(session, "R-1", "2500.50")
    assert first.payment_status == "completed" and first.refund["amount"] == Decimal("2500.50")
    with pytest.raises(InvalidInput, match="more than the 7499.50 NGN left"):
        refund(session, "R-1", "7499.51")
    rest = refund(session, "R-1")  # no --amount: all that is left
    assert rest.refund["amount"] == Decimal("7499.50") and rest.payment_status == "refunded"
    assert refunded_total(session, p.id) == Decimal("10000.00")
    with pytest.raises(InvalidInput):
        refund(session, "R-1", "1")


def test_each_refund_is_audited_and_notified(session, payer):
    p = add_payment(session, payer.id, reference="R-2")
    result = refund(session, "R-2", "100")
    audit = session.scalars(select(SystemLog).where(SystemLog.action == "payments.refund",
                                                    SystemLog.target_id == str(result.refund["id"]))).all()
    assert len(audit) == 1 and audit[0].changes["amount"]["new"] == "100.00"
    notes = session.scalars(select(Notification).where(Notification.user_id == payer.id)).all()
    assert len(notes) == 1 and notes[0].type == "payment_confirmation" and notes[0].action_data["payment_id"] == p.id


def test_same_key_same_amount_returns_the_first_result(session, payer):
    add_payment(session, payer.id, reference="R-3")
    first = refund(session, "R-3", "1000", idempotency_key="retry-1")
    again = refund(session, "R-3", "1000", idempotency_key="retry-1")
    assert again.replayed and again.refund["id"] == first.refund["id"]
    assert session.scalar(select(func.count()).select_from(PaymentRefund)) == 1


def test_same_key_other_amount_is_an_error(session, payer):
    add_payment(session, payer.id, reference="R-4")
    refund(session, "R-4", "1000", idempotency_key="retry-2")
    with pytest.raises(InvalidInput, match="was used for refund"):
        refund(session, "R-4", "1500", idempotency_key="retry-2")


def test_replay_after_the_payment_became_refunded(session, payer):
    add_payment(session, payer.id, amount="500.00", reference="R-5")
    first = refund(session, "R-5", idempotency_key="full")
    again = refund(session, "R-5", idempotency_key="full")
    assert again.replayed and again.refund["id"] == first.refund["id"] and again.payment_status == "refunded"


def test_refund_done_and_failed(session, payer):
    p = add_payment(session, payer.id, amount="800.00", reference="R-6")
    full = refund(session, "R-6")
    done = mark_processed(session, None, full.refund["id"], gateway_ref="RFND_1", now=FIXED_NOW)
    assert done.refund["status"] == "processed"
    assert mark_processed(session, None, full.refund["id"], gateway_ref="RFND_1", now=FIXED_NOW).replayed
    with pytest.raises(InvalidInput):
        mark_failed(session, None, full.refund["id"], reason="declined", now=FIXED_NOW)
    q = add_payment(session, payer.id, amount="800.00", reference="R-7")
    second = refund(session, "R-7")
    failed = mark_failed(session, None, second.refund["id"], reason="declined", now=FIXED_NOW)
    assert failed.payment_status == "completed"  # the failed refund no longer counts
    assert refunded_total(session, q.id) == 0 and p.status == "refunded"
    with pytest.raises(NotFound):
        mark_processed(session, None, 999999, gateway_ref="x", now=FIXED_NOW)


def test_two_refunds_at_once_cannot_both_pass(scratch_engine):
    """Two real connections: the first holds the payment's row lock; the second waits, then sees it."""
    with Session(scratch_engine) as setup, setup.begin():
        user = make_user(setup, "ada")
        pid = add_payment(setup, user.id, amount="10000.00", reference="R-RACE").id
    locked, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        with Session(scratch_engine) as s, s.begin():
            outcomes["first"] = refund(s, str(pid), "6000")
            locked.set()
            release.wait(10)

    def second() -> None:
        locked.wait(10)
        try:
            with Session(scratch_engine) as s, s.begin():
                outcomes["second"] = refund(s, str(pid), "6000")
        except InvalidInput as exc:
            outcomes["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    locked.wait(10)
    threading.Timer(0.5, release.set).start()  # the second is blocked on the lock by then
    for t in threads:
        t.join(20)
    assert isinstance(outcomes["second"], InvalidInput) and "left" in outcomes["second"].message
    with Session(scratch_engine) as s:
        assert refunded_total(s, pid) == Decimal("6000.00")
