"""The ledger views: list filters and paging, show's masking, summary by Lagos day (the WAT
boundary), stored methods and their expiry, set-default, and the expire-pending sweep."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gmctl.db.models import Payment, PaymentMethod, PaymentRefund, SystemLog
from gmctl.errors import Busy, InvalidInput
from gmctl.payments.detail import gateway_summary, payment_document
from gmctl.payments.expire import expire_pending
from gmctl.payments.listing import list_payments, make_filter
from gmctl.payments.methods import card_valid_through, list_methods, set_default
from gmctl.payments.summary import summarise
from gmctl.retention.lock import JOBS, NAMESPACE, is_running
from gmctl.when import LAGOS
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user
from tests.payments.conftest import add_payment


def lagos_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LAGOS)


def test_a_payment_at_2330_utc_counts_on_the_next_lagos_day(session, payer):
    add_payment(session, payer.id, amount="700.00", created_at=datetime(2026, 5, 31, 23, 30, tzinfo=timezone.utc))
    add_payment(session, payer.id, amount="300.00", created_at=datetime(2026, 5, 31, 22, 59, tzinfo=timezone.utc))
    rows = summarise(session.connection(), since=lagos_day(date(2026, 5, 31)), until=lagos_day(date(2026, 6, 2)))
    by_day = {r["period"]: r for r in rows}
    assert by_day[date(2026, 6, 1)]["amount"] == Decimal("700.00")  # 00:30 WAT on 1 June
    assert by_day[date(2026, 5, 31)]["amount"] == Decimal("300.00")  # 23:59 WAT on 31 May
    assert [r["period"] for r in rows] == [date(2026, 5, 31), date(2026, 6, 1)]


def test_summary_success_rate_refunds_and_groups(session, payer):
    day = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
    done = add_payment(session, payer.id, amount="1000.00", created_at=day, gateway="paystack")
    add_payment(session, payer.id, amount="500.00", status="failed", created_at=day, gateway="flutterwave")
    add_payment(session, payer.id, amount="400.00", status="cancelled", created_at=day, gateway="paystack")
    add_payment(session, payer.id, amount="900.00", status="pending", created_at=day, gateway="paystack")
    session.add(PaymentRefund(payment_id=done.id, amount=Decimal("250.00"), reason="r", idempotency_key="s1",
                              status="requested", requested_at=day, updated_at=day))
    session.flush()
    since, until = lagos_day(date(2026, 11, 10)), lagos_day(date(2026, 11, 11))
    (row,) = summarise(session.connection(), since=since, until=until)
    # 4 payments; received 1000 (completed only); 1 settled of 3 decided (pending left out) = 33.3 %
    assert (row["count"], row["amount"], row["success_rate"], row["refunds"]) == (
        4, Decimal("1000.00"), Decimal("33.3"), Decimal("250.00"))
    grouped = summarise(session.connection(), since=since, until=until, group="gateway")
    assert [(r["gateway"], r["count"]) for r in grouped] == [("flutterwave", 1), ("paystack", 3)]
    weekly = summarise(session.connection(), since=since, until=until, by="week")
    assert weekly[0]["period"] == date(2026, 11, 9)  # the Monday of that week


def test_list_filters_and_keyset_pages(session, payer):
    base = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    for n in range(5):
        add_payment(session, payer.id, amount=f"{(n + 1) * 1000}.00", reference=f"GMS-L-{n}",
                    created_at=base + timedelta(days=n), gateway="paystack" if n % 2 else "flutterwave")
    conn = session.connection()
    flt = make_filter(conn, FIXED_NOW, min_amount="₦2,000", max_amount="NGN 4000", gateways=["paystack"])
    assert [r["reference"] for r in list_payments(conn, flt).rows] == ["GMS-L-3", "GMS-L-1"]
    flt = make_filter(conn, FIXED_NOW, since="2026-11-02", before="2026-11-04")  # end day inclusive
    assert [r["reference"] for r in list_payments(conn, flt).rows] == ["GMS-L-3", "GMS-L-2", "GMS-L-1"]
    first = list_payments(conn, make_filter(conn, FIXED_NOW, reference="GMS-L-"), limit=2)
    second = list_payments(conn, make_filter(conn, FIXED_NOW, reference="GMS-L-"), limit=2, after=first.next_cursor)
    assert [r["reference"] for r in first.rows + second.rows] == ["GMS-L-4", "GMS-L-3", "GMS-L-2", "GMS-L-1"]
    with pytest.raises(InvalidInput):
        make_filter(conn, FIXED_NOW, statuses=["paid"])
    with pytest.raises(InvalidInput):
        list_payments(conn, make_filter(conn, FIXED_NOW), after="garbage")


def test_show_never_shows_more_of_a_card_than_brand_and_last_four(session, payer):
    response = {"gateway_response": "Approved", "channel": "card", "ip_address": "197.210.1.1",
                "authorization": {"bin": "408408", "last4": "4081", "exp_month": "12", "exp_year": "2030",
                                  "card_type": "visa", "bank": "TEST BANK", "authorization_code": "AUTH_x"},
                "customer": {"email": "ngozi@example.com"}}
    p = add_payment(session, payer.id, reference="GMS-SHOW", gateway_response=response)
    assert gateway_summary(response) == {"message": "Approved", "channel": "card", "card": "Visa ****4081"}
    document = payment_document(session, "GMS-SHOW")
    text = repr(document)
    for secret in ("408408", "2030", "AUTH_x", "197.210", "ngozi@example.com"):
        assert secret not in text
    assert document["id"] == p.id and document["gateway_fields"]["card"] == "Visa ****4081"


def add_card(session, user_id, month, year, *, default=False, active=True):
    method = PaymentMethod(user_id=user_id, type="card", provider="paystack", card_brand="visa",
                           card_last_four="1234", card_exp_month=month, card_exp_year=year,
                           is_default=default, is_active=active)
    session.add(method)
    session.flush()
    return method


def test_methods_expiry_follows_the_end_of_the_month(session, payer):
    assert card_valid_through(2, 2028) == date(2028, 2, 29)
    # The database's trigger refuses a card already expired by the real date, so the cards are
    # stored for this month and later, and the listing is asked about later days.
    today = datetime.now(LAGOS).date()
    add_card(session, payer.id, today.month, today.year, default=True)
    add_card(session, payer.id, today.month, today.year + 3)
    end_of_month = card_valid_through(today.month, today.year)
    now = datetime(today.year, today.month, 1, 12, tzinfo=LAGOS)
    rows = list_methods(session.connection(), now, user_id=payer.id, expiring=timedelta(days=60))
    assert [(r["expires"], r["expiry"]) for r in rows] == [(end_of_month, "expiring")]
    assert rows[0]["method"] == f"Visa ****1234 exp {today.month:02d}/{today.year}"
    later = datetime.combine(end_of_month + timedelta(days=1), datetime.min.time(), LAGOS)  # the day after
    rows = list_methods(session.connection(), later, user_id=payer.id)
    assert [r["expiry"] for r in rows] == ["expired", "ok"]


def test_set_default_keeps_one_default(session, payer):
    old = add_card(session, payer.id, 6, 2030, default=True)
    new = add_card(session, payer.id, 8, 2031)
    result = set_default(session, None, new.id, now=FIXED_NOW)
    assert result == {"id": new.id, "user_id": payer.id, "previous_default": old.id, "changed": True}
    defaults = session.scalars(select(PaymentMethod.id).where(PaymentMethod.user_id == payer.id,
                                                              PaymentMethod.is_default.is_(True))).all()
    assert defaults == [new.id]
    inactive = add_card(session, payer.id, 8, 2031, active=False)
    with pytest.raises(InvalidInput):
        set_default(session, None, inactive.id, now=FIXED_NOW)


def released(engine) -> None:
    """Wait for the last run's lock connection to end on the server (closing it is asynchronous)."""
    deadline = time.monotonic() + 10
    while is_running(engine, "payments-expire") and time.monotonic() < deadline:
        time.sleep(0.05)


def test_expire_pending_in_batches_with_a_lock_and_dry_run(scratch_engine):
    now = FIXED_NOW
    with Session(scratch_engine) as s, s.begin():
        user = make_user(s, "ada")
        stale = [add_payment(s, user.id, status=st, created_at=now - timedelta(hours=30)).id
                 for st in ("pending", "processing", "pending")]
        fresh = add_payment(s, user.id, status="pending", created_at=now - timedelta(hours=2)).id
        done = add_payment(s, user.id, status="completed", created_at=now - timedelta(hours=30)).id
    dry = expire_pending(scratch_engine, None, older_than=timedelta(hours=24), now=now, dry_run=True)
    assert (dry.expired, dry.dry_run) == (3, True)
    released(scratch_engine)
    report = expire_pending(scratch_engine, None, older_than=timedelta(hours=24), now=now, batch_size=2)
    assert (report.expired, report.batches) == (3, 2)
    with Session(scratch_engine) as s:
        states = dict(s.execute(select(Payment.id, Payment.status)).all())
        assert [states[i] for i in stale] == ["cancelled"] * 3
        assert states[fresh] == "pending" and states[done] == "completed"
        assert s.scalar(select(Payment.failure_reason).where(Payment.id == stale[0])) == \
            "expired: no gateway result after 1d"
        assert len(s.scalars(select(SystemLog).where(SystemLog.action == "payments.expire-pending")).all()) == 3
    released(scratch_engine)
    with scratch_engine.connect() as holder:
        holder.exec_driver_sql(f"SELECT pg_advisory_lock({NAMESPACE}, {JOBS['payments-expire']})")
        with pytest.raises(Busy):
            expire_pending(scratch_engine, None, older_than=timedelta(hours=24), now=now)
