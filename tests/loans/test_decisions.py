"""review / approve / reject / withdraw on a real database: what is written, and what is refused."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from gmctl.auth.permissions import load_operator
from gmctl.db.models import LoanApplication, Notification, ServiceRequest, StatusChange, SystemLog
from gmctl.errors import InvalidInput, NotPermitted
from gmctl.loans import decisions
from gmctl.loans.decisions import Terms
from gmctl.loans.settings import LoanSettings
from gmctl.loans.states import InvalidTransition
from tests.conftest import FIXED_NOW

SETTINGS = LoanSettings()


def op(session, user):
    return load_operator(session, user.id, FIXED_NOW)


def terms(amount="500000", rate="24", term=12, method="declining", fee="0"):
    return Terms(D(amount), rate, term, method, D(fee))


def test_review_records_the_reviewer_moves_the_request_and_audits(session, make_loan, staff_officer):
    loan = make_loan()
    result = decisions.review(session, op(session, staff_officer), loan.id, now=FIXED_NOW)
    assert (result.previous_status, result.new_status) == ("submitted", "under_review")
    assert loan.reviewed_by == staff_officer.id and loan.application_status == "under_review"
    request = session.get(ServiceRequest, loan.service_request_id)
    assert request.status == "in_progress"
    history = session.scalars(select(StatusChange).where(StatusChange.service_request_id == request.id)
                              .order_by(StatusChange.id.desc())).first()
    assert history.changed_by == staff_officer.id and history.new_status == "in_progress"
    log = session.scalars(select(SystemLog).where(SystemLog.action == "loans.review")).one()
    assert log.changes["application_status"] == {"old": "submitted", "new": "under_review"}
    assert log.changes["reviewed_by"] == {"old": None, "new": staff_officer.id}


def test_approve_writes_the_terms_moves_the_request_and_notifies(session, make_loan, staff_officer, boss):
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id, income="900000")
    result = decisions.approve(session, op(session, boss), loan.id, terms(fee="10000"), settings=SETTINGS,
                               now=FIXED_NOW, reason="Steady salary")
    session.refresh(loan)
    assert (loan.approved_amount, loan.approved_rate, loan.approved_term_months) == (D("500000.00"), D("0.2400"), 12)
    assert loan.decision_date.isoformat() == "2026-11-25" and loan.decision_reason == "Steady salary"
    assert loan.reviewed_by == staff_officer.id and loan.application_status == "approved"
    assert result.instalment == D("47279.80")
    assert session.get(ServiceRequest, loan.service_request_id).status == "completed"
    note = session.scalars(select(Notification).where(Notification.user_id == loan.user_id)).one()
    assert "approved" in note.title and "₦47,279.80" in note.message
    log = session.scalars(select(SystemLog).where(SystemLog.action == "loans.approve")).one()
    assert log.actor_id == boss.id
    assert log.changes["approved_rate"] == {"old": None, "new": "0.2400"}
    assert log.changes["upfront_fee"]["new"] == "10000"
    assert log.changes["repayment_method"]["new"] == "declining"


def test_approve_from_submitted_is_refused_and_changes_nothing(session, make_loan, boss):
    loan = make_loan()
    with pytest.raises(InvalidTransition, match="it is submitted"):
        decisions.approve(session, op(session, boss), loan.id, terms(), settings=SETTINGS, now=FIXED_NOW,
                          reason="x")
    assert loan.application_status == "submitted" and loan.approved_amount is None


def test_amount_above_requested_needs_over_requested(session, make_loan, staff_officer, boss):
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id, income="5000000")
    with pytest.raises(InvalidInput, match="more than the"):
        decisions.approve(session, op(session, boss), loan.id, terms(amount="600000"), settings=SETTINGS,
                          now=FIXED_NOW, reason="x")
    decisions.approve(session, op(session, boss), loan.id, terms(amount="600000"), settings=SETTINGS,
                      now=FIXED_NOW, reason="Customer asked for more", over_requested=True)
    assert loan.approved_amount == D("600000")


def test_dti_over_the_limit_is_refused_unless_overridden(session, make_loan, staff_officer, boss):
    # 47,279.80 + 100,000 existing on 400,000 income = 36.8% > 33.33%
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id, income="400000", debts="100000")
    with pytest.raises(InvalidInput, match="debt-to-income ratio would be 36.82%"):
        decisions.approve(session, op(session, boss), loan.id, terms(), settings=SETTINGS, now=FIXED_NOW, reason="x")
    assert loan.application_status == "under_review"
    result = decisions.approve(session, op(session, boss), loan.id, terms(), settings=SETTINGS, now=FIXED_NOW,
                               reason="Guarantor's income counted", override_dti=True)
    assert result.dti_overridden and result.dti_percent == D("36.82")


def test_dti_limit_is_configurable(session, make_loan, staff_officer, boss):
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id, income="400000", debts="100000")
    relaxed = LoanSettings(max_dti=__import__("fractions").Fraction(2, 5))
    decisions.approve(session, op(session, boss), loan.id, terms(), settings=relaxed, now=FIXED_NOW, reason="ok")
    assert loan.application_status == "approved"


def test_large_loan_needs_someone_other_than_the_reviewer(session, make_loan, boss, checker):
    loan = make_loan(status="under_review", reviewed_by=boss.id, amount="2000000", income="9000000")
    with pytest.raises(NotPermitted, match="needs two people") as caught:
        decisions.approve(session, op(session, boss), loan.id, terms(amount="2000000"), settings=SETTINGS,
                          now=FIXED_NOW, reason="x")
    assert caught.value.exit_code == 4 and loan.application_status == "under_review"
    decisions.approve(session, op(session, checker), loan.id, terms(amount="2000000"), settings=SETTINGS,
                      now=FIXED_NOW, reason="Second pair of eyes")
    assert loan.application_status == "approved"


def test_at_the_threshold_one_person_may_approve(session, make_loan, boss):
    loan = make_loan(status="under_review", reviewed_by=boss.id, amount="1000000", income="9000000")
    decisions.approve(session, op(session, boss), loan.id, terms(amount="1000000"), settings=SETTINGS,
                      now=FIXED_NOW, reason="Within one person's limit")
    assert loan.application_status == "approved"


def test_reject_and_withdraw_follow_the_state_machine(session, make_loan, staff_officer, boss):
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id)
    decisions.reject(session, op(session, boss), loan.id, now=FIXED_NOW, reason="Income not verified")
    assert loan.application_status == "rejected"
    assert session.get(ServiceRequest, loan.service_request_id).status == "failed"
    with pytest.raises(InvalidTransition):
        decisions.withdraw(session, op(session, boss), loan.id, now=FIXED_NOW, reason="late")
    other = make_loan()
    decisions.withdraw(session, op(session, boss), other.id, now=FIXED_NOW, reason="Customer called")
    assert other.application_status == "withdrawn"
    assert session.get(ServiceRequest, other.service_request_id).status == "cancelled"


def test_reason_is_required_and_own_application_cannot_be_decided(session, make_loan, staff_officer, boss):
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id)
    with pytest.raises(InvalidInput, match="--reason"):
        decisions.reject(session, op(session, boss), loan.id, now=FIXED_NOW, reason="  ")
    own = make_loan(status="under_review", reviewed_by=staff_officer.id, user_id=boss.id)
    with pytest.raises(NotPermitted, match="your own"):
        decisions.reject(session, op(session, boss), own.id, now=FIXED_NOW, reason="x")


def test_bad_rate_is_refused_before_anything_is_written(session, make_loan, staff_officer, boss):
    loan = make_loan(status="under_review", reviewed_by=staff_officer.id)
    for typed in ("2.4", "240"):
        with pytest.raises(InvalidInput, match="out of bounds"):
            decisions.approve(session, op(session, boss), loan.id, terms(rate=typed), settings=SETTINGS,
                              now=FIXED_NOW, reason="x")
    assert session.get(LoanApplication, loan.id).approved_rate is None
    assert not session.scalars(select(SystemLog).where(SystemLog.action == "loans.approve")).all()
