"""Demo refunds and sample gateway exports, so that `payments show`, `summary` and `reconcile` have
something real to show.

Refunds: every refunded demo payment gets its processed refund; one wallet top-up (through
Paystack) gets a full refund still `requested` (the sample export reports it reversed, so
reconcile --apply marks it processed); two completed Paystack payments get partial refunds (one
requested, one failed).

Exports (file name -> CSV text, written by `db seed --demo` to $GMCTL_HOME/demo/):
- paystack_export.csv: Paystack's layout (amounts and fees in kobo, times in GMT) for every demo
  Paystack payment that reached the gateway; it reports one pending and one processing payment as
  settled (success / failed: status_mismatch that --apply can prove) and one amount ₦500 higher
  than the ledger (the planted amount_mismatch that --apply leaves alone);
- flutterwave_export.csv: Flutterwave's layout (naira), agreeing with the ledger on every line.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from gmctl.seed.demo_world import DemoWorld

PAYSTACK_HEADER = ["id", "reference", "amount", "currency", "status", "channel", "fees", "paid_at",
                   "created_at", "gateway_response", "customer_email"]
FLUTTERWAVE_HEADER = ["id", "tx_ref", "flw_ref", "amount", "charged_amount", "app_fee", "currency", "status",
                      "payment_type", "created_at", "processor_response", "customer_email"]
PAYSTACK_WORD = {"completed": "success", "failed": "failed", "cancelled": "abandoned", "refunded": "reversed",
                 "processing": "ongoing", "pending": "pending"}
# Flutterwave keeps a refunded charge "successful" and reports the refund as a record of its own.
FLUTTERWAVE_WORD = {"completed": "successful", "refunded": "successful", "failed": "failed", "cancelled": "cancelled",
                    "processing": "pending", "pending": "pending"}
PLANTED_DIFFERENCE = Decimal("500.00")


def seed_refunds_and_exports(world: DemoWorld, payments: list[tuple[int, dict[str, Any]]]) -> dict[str, str]:
    """Insert the demo refunds (updating the payments they refund) and return the sample exports."""
    from sqlalchemy import text

    from gmctl.db.models import PaymentRefund

    rows: list[dict[str, Any]] = []
    for pid, p in payments:
        if p["status"] == "refunded":
            rows.append(_refund(world, pid, p["amount"], "Request cancelled: deposit returned", "processed",
                                p["updated_at"]))
    # The full refund still requested: a wallet top-up (no request, whose final cost its completed
    # payments must keep matching), taken through Paystack so that the sample export reverses it.
    topup = next(((pid, p) for pid, p in payments if p["status"] == "completed" and p["service_request_id"] is None),
                 None)
    if topup:
        pid, p = topup
        rows.append(_refund(world, pid, p["amount"], "Top-up made twice by mistake", "requested",
                            world.now - timedelta(hours=5)))
        p.update(status="refunded", gateway="paystack",
                 gateway_transaction_id=f"PSTK-{world.token(16)}")
        world.session.execute(text("UPDATE payments SET status = 'refunded', gateway = 'paystack',"
                                   " gateway_transaction_id = :txn WHERE id = :id"),
                              {"id": pid, "txn": p["gateway_transaction_id"]})
    completed = [(pid, p) for pid, p in payments if p["status"] == "completed" and p["gateway"] == "paystack"]
    for (pid, p), state in zip(completed[:2], ("requested", "failed")):
        part = (p["amount"] / 4).quantize(Decimal("1")).quantize(Decimal("0.01"))
        rows.append(_refund(world, pid, part, "Part of the work was not needed", state,
                            world.now - timedelta(days=1, hours=3)))
    world.insert(PaymentRefund, rows)
    return {"paystack_export.csv": _paystack(world, payments), "flutterwave_export.csv": _flutterwave(payments)}


def _refund(world: DemoWorld, payment_id: int, amount: Decimal, reason: str, status: str, at: Any) -> dict[str, Any]:
    return {"payment_id": payment_id, "amount": amount, "reason": reason, "status": status,
            "idempotency_key": f"demo-{payment_id}-{world.token(6).lower()}",
            "gateway_refund_reference": f"RFND_{world.token(10).lower()}" if status == "processed" else None,
            "failure_reason": "Refund declined by the issuing bank" if status == "failed" else None,
            "requested_by": world.admin_id, "requested_at": at, "updated_at": at,
            "processed_at": at + timedelta(hours=2) if status == "processed" else None,
            "failed_at": at + timedelta(hours=3) if status == "failed" else None}


def _at_gateway(p: dict[str, Any]) -> bool:
    return not (p["status"] == "pending" and p["gateway_transaction_id"] is None)


def _gmt(moment: Any) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else ""


def _paystack(world: DemoWorld, payments: list[tuple[int, dict[str, Any]]]) -> str:
    mine = [(pid, p) for pid, p in payments if p["gateway"] == "paystack"]
    pending = next((pid for pid, p in mine if p["status"] == "pending"), None)
    processing = next((pid for pid, p in mine if p["status"] == "processing"), None)
    planted = next((pid for pid, p in mine if p["status"] == "completed"), None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAYSTACK_HEADER)
    for pid, p in sorted(mine, key=lambda item: item[1]["created_at"]):
        status, message, amount = p["status"], p["gateway_response"].get("message", ""), p["amount"]
        paid = p["completed_at"]
        if pid == pending:
            status, message, paid = "completed", "Approved", p["created_at"] + timedelta(minutes=4)
        elif pid == processing:
            status, message = "failed", "Declined by issuer"
        elif not _at_gateway(p):
            continue
        if pid == planted:
            amount = amount + PLANTED_DIFFERENCE
        kobo = int(amount * 100)
        fee = min(kobo * 15 // 1000 + (10_000 if kobo >= 250_000 else 0), 200_000) if status == "completed" else 0
        writer.writerow([p["gateway_transaction_id"] or f"PSTK-{pid:016d}", p["gateway_reference"], kobo, "NGN",
                         PAYSTACK_WORD[status], "bank" if p["payment_method"] == "bank_transfer" else p["payment_method"],
                         fee, _gmt(paid) if status in ("completed", "refunded") else "", _gmt(p["created_at"]),
                         message, f"customer{p['user_id']}@demo.gmservices.ng"])
    return out.getvalue()


def _flutterwave(payments: list[tuple[int, dict[str, Any]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLUTTERWAVE_HEADER)
    mine = [(pid, p) for pid, p in payments if p["gateway"] == "flutterwave" and _at_gateway(p)]
    for n, (pid, p) in enumerate(sorted(mine, key=lambda item: item[1]["created_at"]), start=1):
        fee = (p["amount"] * Decimal("0.014")).quantize(Decimal("0.01")) if p["status"] in ("completed", "refunded") else Decimal("0")
        writer.writerow([9_100_000 + n, p["gateway_reference"], p["gateway_transaction_id"] or "", p["amount"],
                         p["amount"], fee, "NGN", FLUTTERWAVE_WORD[p["status"]],
                         "bank_transfer" if p["payment_method"] == "bank_transfer" else p["payment_method"],
                         _gmt(p["created_at"]), p["gateway_response"].get("message", ""),
                         f"customer{p['user_id']}@demo.gmservices.ng"])
    return out.getvalue()


def write_exports(exports: dict[str, str], directory: Any) -> str:
    """Write the sample exports into `directory` (created, mode 0700); returns the directory as text."""
    from pathlib import Path

    folder = Path(directory)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, body in exports.items():
        (folder / name).write_text(body, encoding="utf-8")
    return str(folder)
