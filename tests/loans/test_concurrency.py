"""Two officers approve the same application at once, on two real connections: one decision stands.

The first approval holds the application's row lock; the second is seen waiting on it in
pg_stat_activity, and when the first commits it reads the approved row and is refused by the state
machine (exit 2) instead of writing a second set of terms.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gmctl.auth.permissions import load_operator
from gmctl.db.models import LoanApplication, Notification, StatusChange, SystemLog
from gmctl.loans.decisions import Terms, approve
from gmctl.loans.settings import LoanSettings
from gmctl.loans.states import InvalidTransition
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user
from tests.loans.conftest import add_loan
from tests.requests.test_concurrency import second_person_waits


@pytest.fixture
def desk(scratch_engine):
    with Session(scratch_engine, expire_on_commit=False) as setup:
        reviewer = make_user(setup, "ada", staff=True, roles=("staff",))
        one = make_user(setup, "boss", staff=True, roles=("admin",))
        two = make_user(setup, "checker", staff=True, roles=("admin",))
        customer = make_user(setup, "chinedu")
        loan = add_loan(setup, customer.id, status="under_review", reviewed_by=reviewer.id, income="900000")
        setup.commit()
        return {"one": load_operator(setup, one.id, FIXED_NOW), "two": load_operator(setup, two.id, FIXED_NOW),
                "loan_id": loan.id, "request_id": loan.service_request_id}


def test_two_approvals_at_once_end_with_one_decision(scratch_engine, desk):
    loan_id, settings = desk["loan_id"], LoanSettings()
    with Session(scratch_engine, expire_on_commit=False) as first:
        approve(first, desk["one"], loan_id, Terms(D("500000"), "24", 12), settings=settings, now=FIXED_NOW,
                reason="first")
        with pytest.raises(InvalidTransition, match="already approved"):
            second_person_waits(scratch_engine, first, lambda s: approve(
                s, desk["two"], loan_id, Terms(D("450000"), "30", 6), settings=settings, now=FIXED_NOW,
                reason="second"))
    with Session(scratch_engine) as check:
        loan = check.get(LoanApplication, loan_id)
        assert (loan.approved_amount, loan.approved_rate, loan.approved_term_months) == (D("500000"), D("0.24"), 12)
        assert loan.decision_reason == "first"
        approvals = check.scalar(select(func.count()).select_from(SystemLog).where(SystemLog.action == "loans.approve"))
        notes = check.scalar(select(func.count()).select_from(Notification))
        moves = check.scalar(select(func.count()).select_from(StatusChange).where(
            StatusChange.service_request_id == desk["request_id"], StatusChange.new_status == "completed"))
    assert (approvals, notes, moves) == (1, 1, 1)
