"""Fixtures for the loan desk: officers with the gm11 grants, an applicant, applications with a request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Callable

import pytest

from gmctl.db.models import LoanApplication
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user, sign_in
from tests.requests.conftest import add_request

REQUEST_FOR = {"submitted": "pending", "under_review": "in_progress", "approved": "completed",
               "rejected": "failed", "withdrawn": "cancelled", "expired": "cancelled"}


@pytest.fixture
def staff_officer(session):
    return make_user(session, "ada", staff=True, roles=("staff",), first_name="Ada", last_name="Obi")


@pytest.fixture
def boss(session):
    return make_user(session, "boss", staff=True, roles=("admin",), first_name="Bisi", last_name="Ade")


@pytest.fixture
def checker(session):
    return make_user(session, "checker", staff=True, roles=("admin",), first_name="Chidi", last_name="Nna")


@pytest.fixture
def applicant(session):
    return make_user(session, "chinedu", first_name="Chinedu", last_name="Eze")


@pytest.fixture
def signed_in_boss(env, session, boss):
    sign_in(env, session, boss)
    return boss


def add_loan(session, user_id: int, *, status: str = "submitted", amount: str = "500000", term: int = 12,
             income: str | None = "600000", debts: str = "0", loan_type: str = "personal",
             reviewed_by: int | None = None, created_at=None, with_request: bool = True, **fields: Any) -> LoanApplication:
    created = created_at or FIXED_NOW - timedelta(days=2)
    request = None
    if with_request:
        request = add_request(session, user_id, status=REQUEST_FOR[status], service_type="loans",
                              title="Loan for a shop", created_at=created)
    loan = LoanApplication(
        service_request_id=request.id if request else None, user_id=user_id, loan_type=loan_type,
        loan_amount=Decimal(amount), currency="NGN", loan_purpose="Stock for a shop", requested_term_months=term,
        employment_status="employed_full_time", monthly_income=Decimal(income) if income else None,
        existing_debts=Decimal(debts), credit_score=700, application_status=status, reviewed_by=reviewed_by,
        risk_score=40, risk_factors=["short_credit_history"], documents_submitted=["bvn_slip"],
        documents_verified=True, created_at=created, updated_at=created, **fields,
    )
    session.add(loan)
    session.flush()
    return loan


@pytest.fixture
def make_loan(session, applicant) -> Callable[..., LoanApplication]:
    return lambda **kw: add_loan(session, kw.pop("user_id", applicant.id), **kw)
