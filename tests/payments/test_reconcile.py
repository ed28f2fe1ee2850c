"""Reconcile: every category, the status mapping, kobo versus naira, --apply and bad files.

The export files in data/ are written by this project in the gateways' own layouts; the expected
categories below are worked out by hand from those files and the ledger rows each test adds.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from gmctl.db.models import Payment, PaymentRefund, SystemLog
from gmctl.errors import InvalidInput
from gmctl.payments.exportfile import BadExportFile
from gmctl.payments.reconcile import reconcile
from gmctl.payments.statuses import map_status, same_status
from tests.conftest import FIXED_NOW
from tests.payments.conftest import DATA, add_payment

AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def paystack_ledger(session, payer):
    ids = {}
    for ref, status in (("T-MATCHED", "completed"), ("T-AMOUNT", "completed"), ("T-CURRENCY", "completed"),
                        ("T-STATUS", "pending"), ("T-TWICE", "completed"), ("T-FAILED", "processing"),
                        ("T-REVERSED", "refunded"), ("T-ABSENT", "completed")):
        ids[ref] = add_payment(session, payer.id, amount="10000.00", status=status, reference=ref,
                               txn=None if status == "pending" else f"PSTK-{ref}",
                               created_at=AT if ref != "T-ABSENT" else datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)).id
    session.add(PaymentRefund(payment_id=ids["T-REVERSED"], amount=Decimal("10000.00"), reason="cancelled",
                              idempotency_key="k-rev", status="requested", requested_at=AT, updated_at=AT))
    session.flush()
    return ids


def test_every_category_from_a_paystack_export(session, paystack_ledger):
    report = reconcile(session, DATA / "paystack_every_category.csv", gateway="paystack", now=FIXED_NOW)
    assert report.lines == 9
    assert report.counts == {"matched": 2, "amount_mismatch": 1, "currency_mismatch": 1, "status_mismatch": 2,
                             "missing_in_gateway": 1, "missing_in_ledger": 1, "duplicate_reference": 2}
    by_ref = {}
    for row in report.rows:
        by_ref.setdefault(row["reference"], []).append(row["category"])
    assert by_ref["T-AMOUNT"] == ["amount_mismatch"]
    assert by_ref["T-CURRENCY"] == ["currency_mismatch"]
    assert sorted(by_ref["T-STATUS"] + by_ref["T-FAILED"]) == ["status_mismatch", "status_mismatch"]
    assert by_ref["T-STRANGER"] == ["missing_in_ledger"]
    assert by_ref["T-TWICE"] == ["duplicate_reference", "duplicate_reference"]
    assert by_ref["T-ABSENT"] == ["missing_in_gateway"]
    amount_row = next(r for r in report.rows if r["reference"] == "T-AMOUNT")
    assert amount_row["gateway_amount"] == Decimal("10500.00")  # 1050000 kobo
    assert report.unmatched == 8


def test_apply_moves_only_proven_statuses_and_marks_refunds(session, paystack_ledger, finance):
    report = reconcile(session, DATA / "paystack_every_category.csv", gateway="paystack", now=FIXED_NOW,
                       apply=True, operator=finance)
    assert report.applied == {"status": 2, "refunds": 1}
    status = session.get(Payment, paystack_ledger["T-STATUS"])
    session.refresh(status)
    assert status.status == "completed"
    assert status.completed_at == datetime(2026, 11, 20, 10, 15, tzinfo=timezone.utc)
    failed = session.get(Payment, paystack_ledger["T-FAILED"])
    session.refresh(failed)
    assert (failed.status, failed.failure_reason) == ("failed", "Declined by issuer")
    amount = session.get(Payment, paystack_ledger["T-AMOUNT"])
    session.refresh(amount)
    assert amount.amount == Decimal("10000.00")  # never changed
    refund = session.scalar(select(PaymentRefund).where(PaymentRefund.idempotency_key == "k-rev"))
    session.refresh(refund)
    assert refund.status == "processed" and refund.gateway_refund_reference == "paystack:T-REVERSED"
    actions = session.scalars(select(SystemLog.action).where(SystemLog.action == "payments.reconcile")).all()
    assert len(actions) == 3  # two statuses and one refund, each audited
    assert report.unmatched == 6


def test_flutterwave_layout_counts_naira_and_matches_flw_ref(session, payer):
    for ref, status in (("F-MATCHED", "completed"), ("F-AMOUNT", "completed"), ("F-CURRENCY", "completed"),
                        ("F-STATUS", "completed")):
        add_payment(session, payer.id, gateway="flutterwave", reference=ref, txn=f"FLW-{ref}", status=status,
                    created_at=AT)
    add_payment(session, payer.id, gateway="flutterwave", reference="OURS-6", txn="FLW-MOCK-0006",
                status="processing", created_at=AT)
    report = reconcile(session, DATA / "flutterwave_every_category.csv", gateway="flutterwave", now=FIXED_NOW)
    assert report.amount_unit == "naira"
    assert report.counts["matched"] == 2  # F-MATCHED, and F-BYFLWREF found by its flw_ref (pending ~ processing)
    assert report.counts["amount_mismatch"] == 1  # 10000.50 against 10000.00: exact Decimal
    assert report.counts["currency_mismatch"] == 1
    assert report.counts["status_mismatch"] == 1  # failed at Flutterwave, completed in the ledger
    assert report.counts["missing_in_ledger"] == 1


def test_naira_file_read_as_kobo_is_named(session, payer, tmp_path):
    add_payment(session, payer.id, reference="K-1", amount="2500.00", created_at=AT)
    add_payment(session, payer.id, reference="K-2", amount="100.00", created_at=AT)
    path = tmp_path / "naira.csv"
    path.write_text("id,reference,amount,currency,status,paid_at\n"
                    "1,K-1,2500.00,NGN,success,2026-11-20T10:00:00Z\n"
                    "2,K-2,100,NGN,success,2026-11-20T10:00:00Z\n")
    with pytest.raises(InvalidInput) as caught, session.begin_nested():
        reconcile(session, path, gateway="paystack", now=FIXED_NOW, amount_unit="kobo")
    assert "a hundredth" in caught.value.message and caught.value.hint == "pass --amount-unit naira"
    path.write_text(HEADER + "1,K-1,2500.50,NGN,success,2026-11-20T10:00:00Z\n")
    with pytest.raises(BadExportFile, match="fraction"), session.begin_nested():  # kobo cannot have one
        reconcile(session, path, gateway="paystack", now=FIXED_NOW)
    path.write_text("id,reference,amount,currency,status,paid_at\n"
                    "1,K-1,250000,NGN,success,2026-11-20T10:00:00Z\n"
                    "2,K-2,10000,NGN,success,2026-11-20T10:00:00Z\n")
    with pytest.raises(InvalidInput) as caught, session.begin_nested():
        reconcile(session, path, gateway="paystack", now=FIXED_NOW, amount_unit="naira")
    assert "all 2 matched amounts are exactly 100 times" in caught.value.message
    assert caught.value.hint == "pass --amount-unit kobo"
    report = reconcile(session, path, gateway="paystack", now=FIXED_NOW)  # kobo is Paystack's default
    assert report.counts["matched"] == 2


def test_columns_maps_any_csv(session, payer, tmp_path):
    add_payment(session, payer.id, reference="C-1", amount="1234.56", created_at=AT)
    path = tmp_path / "bank.csv"
    path.write_text("Ref;Amount Paid;State\n".replace(";", ",") + 'C-1,"1,234.56",completed\n')
    report = reconcile(session, path, gateway="paystack", now=FIXED_NOW, amount_unit="naira",
                       columns="reference=Ref,amount=Amount Paid,status=State")
    assert report.counts["matched"] == 1


@pytest.mark.parametrize("gateway, word, ledger", [
    ("paystack", "success", "completed"), ("paystack", "abandoned", "cancelled"), ("paystack", "reversed", "refunded"),
    ("paystack", "ongoing", "processing"), ("paystack", "pending", "processing"), ("paystack", "failed", "failed"),
    ("flutterwave", "successful", "completed"), ("flutterwave", "failed", "failed"),
    ("flutterwave", "pending", "processing"), ("paystack", " SUCCESS ", "completed"),
])
def test_status_mapping(gateway, word, ledger):
    assert map_status(gateway, word) == ledger


def test_status_mapping_refuses_unknown_words_and_pairs_in_flight():
    assert map_status("paystack", "successful") is None
    assert map_status("flutterwave", "abandoned") is None
    assert same_status("pending", "processing") and same_status("processing", "processing")
    assert not same_status("completed", "refunded")
    assert same_status("refunded", "completed", "flutterwave") and not same_status("refunded", "completed")


HEADER = "id,reference,amount,currency,status,paid_at\n"
GOOD = "1,B-1,100000,NGN,success,2026-11-20T10:00:00Z\n"


@pytest.mark.parametrize("body, line, words", [
    (b"\xef\xbb\xbf" + (HEADER + GOOD).encode(), 1, "byte-order mark"),
    ((HEADER + GOOD + "\n" + GOOD).encode(), 3, "blank line"),
    ((HEADER + GOOD).encode() + b"2,B-\xff2,100000,NGN,success,\n", 3, "not UTF-8"),
    ((HEADER + GOOD + "2,B-2,1000").encode(), 3, "truncated"),
    ((HEADER + GOOD + "2,B-2,100000,NGN,success,2026-11-20T10:0").encode(), 3, "truncated"),
    (("ref,total,state\n" + GOOD).encode(), 1, "not a paystack export"),
    ((HEADER + "2,B-2,100000,NGN,settled,\n").encode(), 2, "status 'settled'"),
    ((HEADER + "2,B-2,12x,NGN,success,\n").encode(), 2, "not a number"),
    ((HEADER + "2,B-2,100000,NGN,success,yesterday\n").encode(), 2, "ISO-8601"),
    ((HEADER + GOOD + "2,B-2,100000,NGN,success,2026-02-30T00:00:00Z\n").encode(), 3, "not a date the calendar has"),
    (("," * 1500 + HEADER).encode(), 1, "columns"),
])
def test_bad_files_name_the_line_and_apply_nothing(session, payer, finance, tmp_path, body, line, words):
    pending = add_payment(session, payer.id, reference="B-1", amount="1000.00", status="pending", created_at=AT)
    path = tmp_path / "bad.csv"
    path.write_bytes(body)
    with pytest.raises(BadExportFile) as caught, session.begin_nested():
        reconcile(session, path, gateway="paystack", now=FIXED_NOW, apply=True, operator=finance)
    assert caught.value.line == line and f"line {line}:" in caught.value.message
    assert words in caught.value.message and caught.value.exit_code == 2
    session.refresh(pending)
    assert pending.status == "pending"


def test_one_real_mismatch_does_not_hide_a_wrong_unit(session, payer, tmp_path):
    lines = [HEADER.strip()]
    for n in range(1, 21):
        add_payment(session, payer.id, reference=f"U-{n}", amount=f"{n * 100}.00", created_at=AT)
        kobo = n * 100 * 100 + (7 if n == 20 else 0)  # read as naira: 100x, except one line
        lines.append(f"{n},U-{n},{kobo},NGN,success,2026-11-20T10:00:00Z")
    path = tmp_path / "mostly.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput) as caught, session.begin_nested():
        reconcile(session, path, gateway="paystack", now=FIXED_NOW, amount_unit="naira")
    assert "19 of the 20 matched amounts are exactly 100 times" in caught.value.message


def test_kobo_become_naira_exactly_however_many_digits(session, payer, tmp_path):
    """`/ 100` in SQL keeps ~16 significant digits; the conversion must stay exact (the review's example)."""
    add_payment(session, payer.id, reference="K-1", amount="1000.00", status="completed", created_at=AT)
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "1,K-1,12345678901234567891,NGN,success,2026-11-20T10:00:00Z\n")
    report = reconcile(session, path, gateway="paystack", now=FIXED_NOW)
    (row,) = [r for r in report.rows if r["reference"] == "K-1"]
    assert row["category"] == "amount_mismatch"
    assert Decimal(str(row["gateway_amount"])) == Decimal("123456789012345678.91")
