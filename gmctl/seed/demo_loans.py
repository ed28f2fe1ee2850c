"""The demo loan book: one application per loans request, agreeing with the request's status.

Worth looking at with `gmctl loans`: every status (a cancelled request is a withdrawn or an expired
application) and every loan type; amounts on both sides of the two-person threshold; about a third
of the applicants already repay enough each month that the loan they ask for breaks the DTI limit;
and decision trails (review, approve with method and fee, reject) in the audit log, by the staff
who worked the request (an admin approves what its reviewer may not). Its own random source, so
the loan book does not shift the demo rows seeded after it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from gmctl.seed.demo_world import DemoWorld, SeededRequest

RANDOM_SEED = 20241111
LOAN_TYPES = ("personal", "business", "auto", "mortgage", "student", "payday")
LOAN_STATUS = {
    "pending": "submitted", "confirmed": "under_review", "in_progress": "under_review",
    "on_hold": "under_review", "completed": "approved", "failed": "rejected",
}  # fmt: skip
EMPLOYMENT = ("employed_full_time", "employed_part_time", "self_employed")
RATES = {"personal": "0.2800", "business": "0.2600", "auto": "0.2200", "mortgage": "0.1800", "student": "0.1500",
         "payday": "0.4500"}
DUAL_CONTROL_ABOVE = Decimal("1000000.00")


def seed_loans(world: DemoWorld) -> None:
    """Insert the loan book and its decision trail (system_logs rows)."""
    from gmctl.db.models import LoanApplication, SystemLog

    rng = random.Random(RANDOM_SEED)
    requests = [r for r in world.requests if r.service_type == "loans"]
    types = [LOAN_TYPES[k % len(LOAN_TYPES)] for k in range(len(requests))]
    rng.shuffle(types)
    rows, trails = [], []
    cancelled = 0
    for request, loan_type in zip(requests, types):
        status = LOAN_STATUS.get(request.status)
        if status is None:  # cancelled: the customer withdrew, or nobody finished it
            status = "withdrawn" if cancelled % 2 == 0 else "expired"
            cancelled += 1
        row, trail = _loan(world, rng, request, loan_type, status)
        rows.append(row)
        trails.append(trail)
    ids = world.insert(LoanApplication, rows)
    logs = [{**entry, "target_id": str(loan_id)} for loan_id, trail in zip(ids, trails) for entry in trail]
    if logs:
        world.insert(SystemLog, logs)


def _loan(world: DemoWorld, rng: random.Random, request: SeededRequest, loan_type: str,
          status: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    amount = Decimal(request.service_data.get("amount_requested", "500000.00"))
    term = int(request.service_data.get("term_months", 6))
    # Income such that the requested loan would take 10% to 30% of it; a third already owe enough to break 1/3.
    monthly = amount / term
    income = _round(monthly / Decimal(str(rng.uniform(0.12, 0.35))), 5_000)
    breaks = rng.random() < 0.35
    debts = _round(income * Decimal(str(rng.uniform(0.2, 0.35))), 1_000) if breaks else (
        _round(income * Decimal(str(rng.uniform(0.0, 0.08))), 1_000))
    approved = status == "approved"
    decided = status in ("approved", "rejected", "withdrawn", "expired")
    worked = status in ("under_review", "approved", "rejected") or "confirmed" in request.path
    reviewer = (request.assigned_to or world.staff_ids[0]) if worked else None
    approved_amount = world.scaled(amount, 0.7, 1.0, 10_000) if approved else None
    reason = {"approved": "Stable income and good repayment history", "rejected": "Debt-to-income ratio too high",
              "withdrawn": "The customer withdrew the application",
              "expired": "expired: no activity for over 30 days"}.get(status)
    row = {
        "service_request_id": request.id, "user_id": request.customer.id, "loan_type": loan_type,
        "loan_amount": amount, "currency": "NGN", "loan_purpose": request.title, "requested_term_months": term,
        "employment_status": rng.choice(EMPLOYMENT), "monthly_income": income, "existing_debts": debts,
        "credit_score": rng.randrange(480, 820), "application_status": status,
        "approved_amount": approved_amount, "approved_rate": Decimal(RATES[loan_type]) if approved else None,
        "approved_term_months": term if approved else None,
        "decision_date": world.local_date(request.last_change) if decided else None,
        "decision_reason": reason, "reviewed_by": reviewer,
        "risk_score": min(95, rng.randrange(10, 70) + (25 if breaks else 0)),
        "risk_factors": ["high_existing_debt"] if breaks else rng.choice(
            ([], ["irregular_income"], ["short_credit_history"])),
        "documents_submitted": ["bank_statement_6_months", "utility_bill", "bvn_slip"][: rng.randrange(1, 4)],
        "documents_verified": request.status in ("in_progress", "completed"),
        "created_at": request.created_at, "updated_at": request.last_change,
    }
    return row, _trail(world, rng, request, row, reviewer)


def _trail(world: DemoWorld, rng: random.Random, request: SeededRequest, row: dict[str, Any],
           reviewer: int | None) -> list[dict[str, Any]]:
    status = row["application_status"]
    if status in ("submitted", "withdrawn", "expired") or reviewer is None:
        return []
    reviewed_at = request.moments[1] if len(request.moments) > 1 else request.created_at
    trail = [_log("loans.review", reviewer, reviewed_at, {"application_status": ["submitted", "under_review"],
                                                          "reviewed_by": [None, reviewer]})]
    if status in ("approved", "rejected"):
        decider = reviewer
        if status == "approved" and row["approved_amount"] > DUAL_CONTROL_ABOVE:
            decider = world.admin_id or reviewer  # two people above the threshold
        changes: dict[str, list[Any]] = {"application_status": ["under_review", status],
                                         "decision_reason": [None, row["decision_reason"]]}
        if status == "approved":
            method = rng.choice(("declining", "declining", "flat"))
            fee = (row["approved_amount"] * Decimal("0.01")).quantize(Decimal("0.01")) if rng.random() < 0.5 else (
                Decimal("0.00"))
            changes.update(approved_amount=[None, str(row["approved_amount"])],
                           approved_rate=[None, str(row["approved_rate"])],
                           approved_term_months=[None, row["approved_term_months"]],
                           repayment_method=[None, method], upfront_fee=[None, str(fee)])
        decided_at = max(request.last_change, reviewed_at + timedelta(minutes=5))
        trail.append(_log(f"loans.{'approve' if status == 'approved' else 'reject'}", decider, decided_at, changes,
                          message=f"reason: {row['decision_reason']}"))
    return trail


def _log(action: str, actor: int | None, at: Any, changes: dict[str, list[Any]], message: str | None = None
         ) -> dict[str, Any]:
    return {"level": "INFO", "message": message or f"{action} loan_application", "actor_id": actor,
            "action": action, "target_type": "loan_application",
            "changes": {k: {"old": old, "new": new} for k, (old, new) in changes.items()}, "created_at": at}


def _round(value: Decimal, step: int) -> Decimal:
    return (max(Decimal(step), (value / step).quantize(Decimal(1)) * step)).quantize(Decimal("0.01"))
