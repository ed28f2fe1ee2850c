"""`loans show`: one application on one screen, as one document.

The parts: the application, the applicant (income, existing debts, employment, credit score), the
linked request, documents (those the applicant listed, whether they are verified, and the files on
the request with their virus-scan state), risk score and factors, the decision, affordability
(gmctl.loans.affordability) and the decision trail (the audit log, oldest first).

Affordability uses the approved terms once approved; before that the amount and term requested at
an assumed rate (`--rate`, else `[loans] assumed_rate`, clamped to the type's bounds), and says so.
Repayment method and upfront fee are not columns of loan_applications: `loans approve` keeps them
in its audit entry, and `approved_terms` reads them back from there (declining, no fee, for
applications decided before gmctl).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from gmctl.errors import NotFound
from gmctl.loans.columns import loan_applications as la
from gmctl.loans.columns import users
from gmctl.money import Naira

if TYPE_CHECKING:
    from gmctl.loans.settings import LoanSettings


@dataclass(frozen=True)
class ApprovedTerms:
    """Terms of an approved application. NGN; rate a fraction per annum; start a Lagos date."""

    amount: Decimal
    rate: Decimal
    term_months: int
    method: str
    fee: Decimal
    decision_date: date | None
    recorded: bool  # False: decided before gmctl, method and fee assumed (declining, none)


def load_application(connection: Any, application_id: int) -> Any:
    """The application row (a Core Row) with the customer's and reviewer's names; NotFound (exit 3)."""
    customer, reviewer = users.alias("customer"), users.alias("reviewer")
    row = connection.execute(
        select(la, customer.c.username.label("customer"), customer.c.first_name, customer.c.last_name,
               customer.c.email.label("customer_email"), reviewer.c.username.label("reviewer"))
        .select_from(la.outerjoin(customer, customer.c.id == la.c.user_id)
                     .outerjoin(reviewer, reviewer.c.id == la.c.reviewed_by))
        .where(la.c.id == application_id)
    ).first()
    if row is None:
        raise NotFound(f"no loan application {application_id}", hint="`gmctl loans list --status all` lists them")
    return row


TERMS_SQL = text(
    "SELECT changes -> 'repayment_method' ->> 'new' AS method, changes -> 'upfront_fee' ->> 'new' AS fee"
    " FROM system_logs WHERE target_type = 'loan_application' AND target_id = :id AND action = 'loans.approve'"
    " ORDER BY created_at DESC, id DESC LIMIT 1"
)


def approved_terms(connection: Any, row: Any) -> ApprovedTerms | None:
    """The terms an approved application was decided on, or None if it is not approved."""
    if row.application_status != "approved" or row.approved_amount is None or row.approved_rate is None:
        return None
    found = connection.execute(TERMS_SQL, {"id": str(row.id)}).first()
    method = (found.method if found else None) or "declining"
    fee = Decimal(found.fee) if found and found.fee is not None else Decimal("0.00")
    return ApprovedTerms(Decimal(row.approved_amount), Decimal(row.approved_rate),
                         int(row.approved_term_months or row.requested_term_months or 12), method, fee,
                         row.decision_date, found is not None)


def application_document(connection: Any, application_id: int, settings: "LoanSettings", *,
                         today: date, rate_text: str | None = None) -> dict[str, Any]:
    """Everything `loans show` prints, as a JSON-ready nested mapping (NGN amounts as Naira)."""
    row = load_application(connection, application_id)
    return {
        "application": {
            "id": row.id, "status": row.application_status, "loan_type": row.loan_type,
            "amount_requested": Naira(row.loan_amount), "currency": row.currency,
            "term_requested_months": row.requested_term_months, "purpose": row.loan_purpose,
            "created_at": row.created_at, "updated_at": row.updated_at,
        },
        "applicant": {
            "customer": row.customer, "name": " ".join(p for p in (row.first_name, row.last_name) if p) or None,
            "email": row.customer_email, "employment_status": row.employment_status,
            "monthly_income": _naira(row.monthly_income), "income_basis": settings.income_basis,
            "existing_debts_monthly": _naira(row.existing_debts), "credit_score": row.credit_score,
        },
        "request": _request(connection, row.service_request_id),
        "documents": _documents(connection, application_id, row),
        "risk": {"score": row.risk_score, "factors": _risk_factors(connection, application_id)},
        "decision": _decision(connection, row),
        "affordability": affordability_part(connection, row, settings, today=today, rate_text=rate_text),
        "trail": decision_trail(connection, application_id),
    }


def affordability_part(connection: Any, row: Any, settings: "LoanSettings", *, today: date,
                       rate_text: str | None) -> dict[str, Any]:
    from gmctl.loans.affordability import assess
    from gmctl.loans.rates import parse_rate, percent_text
    from gmctl.loans.schedule import build_schedule

    terms = approved_terms(connection, row)
    if terms is not None and rate_text is None:
        amount, rate, months, method, basis = terms.amount, terms.rate, terms.term_months, terms.method, "approved terms"
    else:
        amount, months, method = Decimal(row.loan_amount), int(row.requested_term_months or 12), "declining"
        if rate_text is not None:
            rate = parse_rate(rate_text, row.loan_type, settings)
            basis = f"amount and term requested at {percent_text(rate * 100)} per annum (--rate)"
        else:
            rate = settings.assumed_rate_for(row.loan_type) / 100
            basis = f"amount and term requested at an assumed {percent_text(rate * 100)} per annum"
    schedule = build_schedule(amount, rate, months, method=method, start=today)
    largest = max(r.instalment for r in schedule.rows)
    check = assess(row.monthly_income, row.existing_debts, largest, settings.max_dti, settings.income_basis)
    return {
        "basis": basis,
        "income": f"monthly_income is treated as {settings.income_basis} income ([loans] income_basis)",
        "monthly_income": _naira(row.monthly_income),
        "existing_debts_monthly": Naira(check.existing_debts),
        "proposed_instalment": Naira(largest),
        "dti_percent": check.ratio_percent,
        "limit_percent": check.limit_percent,
        "within_limit": check.within_limit,
        "headroom_monthly": _naira(check.headroom),
        "limit_source": "[loans] max_dti; default 1/3, the CBN prudential rule (repayments at or under 33⅓% "
                        "of monthly income)",
    }


def decision_trail(connection: Any, application_id: int) -> list[dict[str, Any]]:
    """The audit entries about the application, oldest first: when, who, what, the fields changed."""
    rows = connection.execute(text(
        "SELECT l.created_at AS at, u.username AS by, l.action, l.message, l.changes FROM system_logs l"
        " LEFT JOIN users u ON u.id = l.actor_id"
        " WHERE l.target_type = 'loan_application' AND l.target_id = :id ORDER BY l.created_at, l.id"
    ), {"id": str(application_id)}).all()
    return [_trail_entry(r) for r in rows]


# How the decision's fields read in the trail's details, in this order.
_DETAIL_WORDS = {"approved_amount": "amount", "approved_rate": "rate", "approved_term_months": "term",
                 "repayment_method": "method", "upfront_fee": "fee", "dti_percent": "dti %",
                 "dti_overridden": "dti overridden"}


def _trail_entry(r: Any) -> dict[str, Any]:
    changes = r.changes or {}
    status = changes.get("application_status") or {}
    message = r.message or ""
    details = ", ".join(f"{word} {_short(changes[key].get('new'))}" for key, word in _DETAIL_WORDS.items()
                        if key in changes and changes[key].get("new") not in (None, False))
    return {"at": r.at, "by": r.by or "system", "action": r.action,
            "status": f"{_short(status.get('old'))} -> {_short(status.get('new'))}" if status else None,
            "reason": message[len("reason: "):] if message.startswith("reason: ") else None,
            "details": details or None}


def _short(value: Any) -> str:
    return "-" if value is None else str(value)


def _naira(value: Any) -> Naira | None:
    return None if value is None else Naira(value)


def _request(connection: Any, request_id: int | None) -> dict[str, Any] | None:
    if request_id is None:
        return None
    row = connection.execute(text(
        "SELECT r.id, r.status, r.title, r.priority, u.username AS assignee FROM service_requests r"
        " LEFT JOIN users u ON u.id = r.assigned_to WHERE r.id = :id"
    ), {"id": request_id}).first()
    if row is None:
        return {"id": request_id, "status": "archived or missing"}
    return {"id": row.id, "status": row.status, "title": row.title, "priority": row.priority,
            "assignee": row.assignee}


def _documents(connection: Any, application_id: int, row: Any) -> dict[str, Any]:
    listed = connection.execute(text(
        "SELECT documents_submitted FROM loan_applications WHERE id = :id"), {"id": application_id}).scalar()
    files = []
    if row.service_request_id is not None:
        files = [{"file": f.original_filename, "category": f.file_category, "virus_scan": f.virus_scan_status}
                 for f in connection.execute(text(
                     "SELECT original_filename, file_category, virus_scan_status FROM file_uploads"
                     " WHERE service_request_id = :id ORDER BY created_at, id"), {"id": row.service_request_id})]
    return {"submitted": list(listed or []), "verified": bool(row.documents_verified), "files": files}


def _risk_factors(connection: Any, application_id: int) -> list[str]:
    factors = connection.execute(text(
        "SELECT risk_factors FROM loan_applications WHERE id = :id"), {"id": application_id}).scalar()
    return [str(f) for f in (factors or [])]


def _decision(connection: Any, row: Any) -> dict[str, Any]:
    from gmctl.loans.rates import rate_percent

    terms = approved_terms(connection, row)
    return {
        "reviewer": row.reviewer, "decision_date": row.decision_date, "reason": row.decision_reason,
        "approved_amount": _naira(row.approved_amount),
        "approved_rate": rate_percent(row.approved_rate) if row.approved_rate is not None else None,
        "approved_term_months": row.approved_term_months,
        "repayment_method": terms.method if terms else None,
        "upfront_fee": Naira(terms.fee) if terms else None,
    }


def flat_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document as field -> value lines for a terminal or a pipe (lists stay lists: the output
    layer prints them as tables below the fields)."""
    flat: dict[str, Any] = {}
    for part, body in document.items():
        if isinstance(body, list):
            flat[part] = body
        elif body is None:
            flat[part] = None
        else:
            for key, value in body.items():
                if isinstance(value, dict):
                    for inner, inner_value in value.items():
                        flat[f"{part}.{key}.{inner}"] = inner_value
                elif isinstance(value, list) and value and isinstance(value[0], dict):
                    flat[f"{part}.{key}"] = value
                elif isinstance(value, list):
                    flat[f"{part}.{key}"] = ", ".join(str(v) for v in value) or "-"
                else:
                    flat[f"{part}.{key}"] = value
    return flat
