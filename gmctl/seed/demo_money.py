"""Demo payments, each agreeing with the status of its request (the loan book is gmctl.seed.demo_loans)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from gmctl.seed.demo_world import DemoWorld, SeededRequest

GATEWAYS = (("paystack", "PSTK"), ("flutterwave", "FLW"))
FAILURES = ("Insufficient funds", "Card declined by issuer", "Transaction timed out at the bank")
HALF = Decimal("0.5")


def seed_payments(world: DemoWorld) -> list[tuple[int, dict[str, Any]]]:
    """Deposits, balances, refunds and failures that fit each request's story. Returns (id, row) pairs."""
    from gmctl.db.models import Payment

    rows: list[dict[str, Any]] = []
    for request in world.requests:
        rows.extend(_payments_for(world, request))
    for customer in world.customers[5:8]:  # wallet top-ups belong to no request
        moment = world.ago(timedelta(days=2), timedelta(days=40))
        rows.append(_payment(world, customer.id, None, world.naira(5_000, 50_000, 1_000), moment, "completed",
                             method="wallet", description="Wallet top-up"))
    ids = world.insert(Payment, rows)
    return list(zip(ids, rows))


def _payments_for(world: DemoWorld, request: SeededRequest) -> list[dict[str, Any]]:
    confirmed = request.reached("confirmed")
    if confirmed is None:
        return []
    user, rid = request.customer.id, request.id
    title = request.title
    deposit = (request.estimated_cost * HALF).quantize(Decimal("1")).quantize(Decimal("0.01"))
    paid_at = confirmed + timedelta(minutes=world.rng.randrange(3, 180))
    status = request.status
    if status == "completed":
        total = request.final_cost or request.estimated_cost
        if world.rng.random() < 0.4 and total > deposit:
            return [_payment(world, user, rid, deposit, paid_at, "completed",
                             description=f"Deposit: {title}"),
                    _payment(world, user, rid, total - deposit, request.last_change, "completed",
                             description=f"Balance: {title}")]
        return [_payment(world, user, rid, total, request.last_change, "completed", description=title)]
    if status == "failed":
        return [_payment(world, user, rid, deposit, request.last_change, "failed",
                         description=f"Deposit: {title}")]
    if status == "cancelled":
        refund = _payment(world, user, rid, deposit, paid_at, "refunded",
                          description=f"Deposit (refunded): {title}")
        refund["updated_at"] = request.last_change
        return [refund]
    if "in_progress" in request.path:
        return [_payment(world, user, rid, deposit, paid_at, "completed", description=f"Deposit: {title}")]
    state = "processing" if status == "on_hold" else world.rng.choice(("pending", "completed"))
    return [_payment(world, user, rid, deposit, paid_at, state, description=f"Deposit: {title}")]


def _payment(world: DemoWorld, user_id: int, request_id: int | None, amount: Decimal, moment: datetime,
             status: str, *, method: str | None = None, description: str) -> dict[str, Any]:
    rng = world.rng
    gateway, prefix = rng.choice(GATEWAYS)
    method = method or rng.choices(("card", "bank_transfer", "cash"), weights=(6, 3, 1))[0]
    finished = status in ("completed", "refunded")
    return {
        "user_id": user_id, "service_request_id": request_id, "amount": amount, "currency": "NGN",
        "payment_method": method, "gateway": gateway,
        "gateway_transaction_id": f"{prefix}-{world.token(16)}" if status != "pending" else None,
        "gateway_reference": f"GMS-{moment.year}-{world.token(8)}",
        "gateway_response": {"message": "Approved" if finished else status.capitalize(), "channel": method},
        "status": status,
        "failure_reason": rng.choice(FAILURES) if status == "failed" else None,
        "description": description,
        "metadata": {"source": "checkout"} if request_id else {"source": "wallet"},
        "initiated_at": moment - timedelta(minutes=2), "completed_at": moment if finished else None,
        "created_at": moment - timedelta(minutes=2), "updated_at": moment,
    }
