"""Decisions on an application: review, approve (with terms), reject, withdraw. One transaction each.

Each, all or nothing in the caller's transaction:
- the application row is locked (SELECT ... FOR UPDATE) and read fresh, then its linked service
  request (gmctl.requests.locking.lock_request), always in that order, so two people acting on the
  same application at once queue up: the second sees the first's result and is refused by the
  state machine (exit 2) instead of overwriting it;
- the move is checked against `states` (a refused move changes nothing, exit 2);
- approve also checks its terms: the rate in percent per annum within the type's bounds, the
  amount within the request (or --over-requested), the term 1-360 months, the DTI within
  `[loans] max_dti` (or --override-dti) and, above `[loans] dual_control_above`, an approver who
  is not the reviewer (exit 4);
- the linked request moves to the matching status (states.REQUEST_STATUS_FOR) with one
  service_status_history row by the operator, unless it is already final;
- the customer gets one `service_update` notification;
- one audit entry (system_logs) with the before and after values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from gmctl.errors import InvalidInput, NotFound, NotPermitted
from gmctl.loans.states import REQUEST_STATUS_FOR, check_transition
from gmctl.when import LAGOS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import LoanApplication
    from gmctl.loans.affordability import Affordability
    from gmctl.loans.schedule import Schedule
    from gmctl.loans.settings import LoanSettings

FIELDS = ("application_status", "approved_amount", "approved_rate", "approved_term_months", "decision_date",
          "decision_reason", "reviewed_by")
REQUEST_FINAL = ("completed", "cancelled", "failed")


@dataclass(frozen=True)
class Decision:
    """What a move did. Money NGN; approved_rate a fraction per annum; times UTC."""

    application_id: int
    previous_status: str
    new_status: str
    decided_by: str | None
    decided_at: datetime
    reason: str | None
    service_request_id: int | None
    request_previous_status: str | None
    request_new_status: str | None
    notification_id: int | None
    approved_amount: Decimal | None = None
    approved_rate: Decimal | None = None
    approved_term_months: int | None = None
    method: str | None = None
    fee: Decimal | None = None
    instalment: Decimal | None = None
    dti_percent: Decimal | None = None
    dti_overridden: bool = False


@dataclass(frozen=True)
class Terms:
    """Approval terms as typed: amount and fee already parsed (NGN), the rate still as text."""

    amount: Decimal
    rate_text: str
    term_months: int
    method: str = "declining"
    fee: Decimal = Decimal("0.00")


def lock_application(session: "Session", application_id: int) -> "LoanApplication":
    """The application, locked for this transaction and read fresh; NotFound (exit 3) if absent."""
    from gmctl.db.models import LoanApplication

    application = session.execute(
        select(LoanApplication)
        .where(LoanApplication.id == application_id)
        .with_for_update(of=LoanApplication)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if application is None:
        raise NotFound(f"no loan application {application_id}", hint="`gmctl loans list --status all` lists them")
    return application


def review(session: "Session", operator: Any, application_id: int, *, now: datetime) -> Decision:
    """submitted -> under_review, recording the operator as the reviewer."""
    application = lock_application(session, application_id)
    check_transition(application_id, application.application_status or "submitted", "under_review")
    before = snapshot(application)
    application.reviewed_by = operator.user_id
    return _finish(session, operator, application, "under_review", before, now, reason=None)


def approve(
    session: "Session",
    operator: Any,
    application_id: int,
    terms: Terms,
    *,
    settings: "LoanSettings",
    now: datetime,
    reason: str,
    over_requested: bool = False,
    override_dti: bool = False,
) -> Decision:
    """under_review -> approved at `terms`, after every check in the module docstring."""
    from gmctl.loans.rates import parse_rate
    from gmctl.loans.schedule import build_schedule, check_method, check_term

    reason = _reason(reason, "approve")
    method = check_method(terms.method)
    check_term(terms.term_months)
    application = lock_application(session, application_id)
    check_transition(application_id, application.application_status or "submitted", "approved")
    _not_own_application(application, operator)
    rate = parse_rate(terms.rate_text, application.loan_type, settings)
    if terms.amount > application.loan_amount and not over_requested:
        from gmctl.money import format_naira

        raise InvalidInput(
            f"--amount {format_naira(terms.amount)} is more than the {format_naira(application.loan_amount)} requested",
            hint="approve at most the amount requested, or pass --over-requested if the customer asked for more",
        )
    check_dual_control(application, operator, terms.amount, settings)
    start = now.astimezone(LAGOS).date()
    schedule = build_schedule(terms.amount, rate, terms.term_months, method=method, start=start, fee=terms.fee)
    check = affordability_at(application, schedule, settings)
    if not check.within_limit and not override_dti:
        raise InvalidInput(_dti_refusal(check), hint="lower the amount or lengthen the term; or, having weighed "
                                                    "it, pass --override-dti (the reason is kept in the audit log)")
    before = snapshot(application)
    application.approved_amount = terms.amount
    application.approved_rate = rate
    application.approved_term_months = terms.term_months
    application.reviewed_by = application.reviewed_by or operator.user_id
    extra = {"repayment_method": (None, method), "upfront_fee": (None, terms.fee),
             "dti_percent": (None, check.ratio_percent), "dti_overridden": (None, not check.within_limit)}
    decision = _finish(session, operator, application, "approved", before, now, reason=reason, extra=extra,
                       notice=_approval_notice(application, schedule))
    return Decision(**{**decision.__dict__, "method": method, "fee": terms.fee, "instalment": schedule.instalment,
                       "dti_percent": check.ratio_percent, "dti_overridden": not check.within_limit})


def reject(session: "Session", operator: Any, application_id: int, *, now: datetime, reason: str) -> Decision:
    """under_review -> rejected, with the reason."""
    reason = _reason(reason, "reject")
    application = lock_application(session, application_id)
    check_transition(application_id, application.application_status or "submitted", "rejected")
    _not_own_application(application, operator)
    before = snapshot(application)
    return _finish(session, operator, application, "rejected", before, now, reason=reason)


def withdraw(session: "Session", operator: Any, application_id: int, *, now: datetime, reason: str) -> Decision:
    """submitted or under_review -> withdrawn (the customer withdrew), with the reason."""
    reason = _reason(reason, "withdraw")
    application = lock_application(session, application_id)
    check_transition(application_id, application.application_status or "submitted", "withdrawn")
    before = snapshot(application)
    return _finish(session, operator, application, "withdrawn", before, now, reason=reason)


def check_dual_control(application: "LoanApplication", operator: Any, amount: Decimal,
                       settings: "LoanSettings") -> None:
    """Above the threshold the approver must not be the reviewer: NotPermitted (exit 4) otherwise."""
    from gmctl.money import format_naira

    if amount <= settings.dual_control_above:
        return
    limit = format_naira(settings.dual_control_above)
    if application.reviewed_by is None:
        raise NotPermitted(
            f"approving {format_naira(amount)} needs two people (above {limit}), and application "
            f"{application.id} has no reviewer on record",
            hint="two-person rule, [loans] dual_control_above: the reviewer and the approver must differ",
        )
    if application.reviewed_by == operator.user_id:
        raise NotPermitted(
            f"approving {format_naira(amount)} needs two people (above {limit}): you are the reviewer of "
            f"application {application.id}",
            hint="ask another officer with decide_loans to approve it ([loans] dual_control_above)",
        )


def affordability_at(application: "LoanApplication", schedule: "Schedule", settings: "LoanSettings") -> "Affordability":
    """The DTI with the schedule's largest instalment."""
    from gmctl.loans.affordability import assess

    largest = max(row.instalment for row in schedule.rows)
    return assess(application.monthly_income, application.existing_debts, largest, settings.max_dti,
                  settings.income_basis)


def snapshot(application: "LoanApplication") -> dict[str, Any]:
    return {name: getattr(application, name) for name in FIELDS}


def _dti_refusal(check: "Affordability") -> str:
    from gmctl.money import format_naira

    if check.ratio is None:
        return "no monthly income is stated, so the debt-to-income ratio cannot be checked"
    return (f"the debt-to-income ratio would be {check.ratio_percent}% ({format_naira(check.existing_debts)} existing"
            f" + {format_naira(check.instalment)} instalment on {format_naira(check.monthly_income)} "
            f"{check.income_basis} monthly income), over the {check.limit_percent}% limit")


def _reason(reason: str | None, verb: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(f"--reason is required to {verb} an application", hint='add --reason "..."')
    return text


def _not_own_application(application: "LoanApplication", operator: Any) -> None:
    if operator is not None and application.user_id == operator.user_id:
        raise NotPermitted(f"application {application.id} is your own: you cannot decide it",
                           hint="another officer must decide it")


def _finish(
    session: "Session",
    operator: Any,
    application: "LoanApplication",
    new_status: str,
    before: dict[str, Any],
    now: datetime,
    *,
    reason: str | None,
    extra: dict[str, tuple[Any, Any]] | None = None,
    notice: str | None = None,
) -> Decision:
    from gmctl import audit

    previous = application.application_status or "submitted"
    application.application_status = new_status
    application.updated_at = now
    if new_status != "under_review":
        application.decision_date = now.astimezone(LAGOS).date()
        application.decision_reason = reason
    request_move = move_request(session, operator, application, previous, now, reason)
    notification_id = notify(session, application, notice or default_notice(application))
    changes = audit.diff(before, snapshot(application))
    changes.update(extra or {})
    audit.record(session, operator, f"loans.{_VERB[new_status]}", "loan_application", application.id,
                 changes=changes, message=reason and f"reason: {reason}", at=now)
    return Decision(
        application.id, previous, new_status, operator.username if operator else None, now, reason,
        application.service_request_id, request_move[0], request_move[1], notification_id,
        application.approved_amount, application.approved_rate, application.approved_term_months,
    )


_VERB = {"under_review": "review", "approved": "approve", "rejected": "reject", "withdrawn": "withdraw",
         "expired": "expire"}


def move_request(session: "Session", operator: Any, application: "LoanApplication", previous: str,
                 now: datetime, reason: str | None) -> tuple[str | None, str | None]:
    """Move the linked request to the status that matches; (its old status, its new one), or
    (status, None) when it was final already or there was nothing to do."""
    from gmctl.db.models import StatusChange
    from gmctl.requests.locking import lock_request

    if application.service_request_id is None:
        return None, None
    request = lock_request(session, application.service_request_id)
    target = REQUEST_STATUS_FOR[application.application_status]
    old = request.status
    if old == target or old in REQUEST_FINAL:
        return old, None
    request.status = target
    request.updated_at = now
    if target == "completed":
        request.completed_at = now
    if target == "in_progress" and request.assigned_to is None and operator is not None:
        request.assigned_to, request.assigned_at = operator.user_id, now
    session.add(StatusChange(
        service_request_id=request.id, previous_status=old, new_status=target,
        changed_by=operator.user_id if operator else None,
        reason=reason or f"loan application {application.id} {application.application_status.replace('_', ' ')}",
        metadata_={"loan_application_id": application.id, "loan_status": [previous, application.application_status]},
        created_at=now,
    ))
    session.flush()
    return old, target


WORDS = {"under_review": "is under review", "approved": "has been approved", "rejected": "was not approved",
         "withdrawn": "has been withdrawn", "expired": "has expired"}


def default_notice(application: "LoanApplication") -> str:
    status = application.application_status
    tail = {"rejected": " You may apply again or ask us why.",
            "withdrawn": " as you asked.", "expired": ": it was not completed in time. You may apply again."}
    text = f"Your {application.loan_type} loan application #{application.id} {WORDS[status]}"
    return text + tail.get(status, ".") if status != "withdrawn" else text + tail["withdrawn"]


def _approval_notice(application: "LoanApplication", schedule: "Schedule") -> str:
    from gmctl.loans.rates import rate_percent
    from gmctl.money import format_naira

    return (f"Your {application.loan_type} loan application #{application.id} has been approved: "
            f"{format_naira(schedule.principal)} at {rate_percent(schedule.annual_rate)} per annum over "
            f"{schedule.term_months} months, {format_naira(schedule.instalment)} a month. Read the Key Fact "
            f"Statement before you sign; you have a cooling-off period after signing.")


def notify(session: "Session", application: "LoanApplication", message: str) -> int:
    """The customer's notification of a move (internal reasons are not copied into it)."""
    from gmctl.db.models import Notification

    status = application.application_status
    note = Notification(
        user_id=application.user_id, type="service_update",
        title=f"Loan application #{application.id} {WORDS[status]}"[:255], message=message,
        action_data={"loan_application_id": application.id, "service_request_id": application.service_request_id,
                     "new_status": status},
        delivery_methods=["in_app"], created_at=now_of(application),
    )
    session.add(note)
    session.flush()
    return note.id


def now_of(application: "LoanApplication") -> datetime | None:
    return application.updated_at
