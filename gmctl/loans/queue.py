"""`loans list`: the review queue, filtered, oldest first, a keyset page at a time (never OFFSET).

Default: the open applications (submitted, under_review), oldest first (created_at, id). A page is
`--limit` rows after a cursor (gmctl.paging, kind "loans"); the next page is one range scan of
idx_loan_applications_queue (open) or idx_loan_applications_created (closed or all), migration
gm16_loan_queue_indexes. Statuses are written into the SQL as literals (validated first) so the
planner can match the partial index, as in gmctl.requests.queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text, tuple_

from gmctl import paging
from gmctl.errors import InvalidInput
from gmctl.loans.columns import loan_applications as la
from gmctl.loans.columns import users
from gmctl.loans.settings import check_loan_type
from gmctl.loans.states import OPEN_STATUSES, STATUS_GROUPS, check_status_name
from gmctl.money import Naira, parse_amount
from gmctl.requests.people import find_person
from gmctl.when import parse_moment

MAX_LIMIT = 1000
CURSOR_KIND = "loans"


@dataclass(frozen=True)
class LoanFilter:
    """What `loans list` was asked for. Amounts NGN; times aware (UTC or Lagos)."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    loan_types: tuple[str, ...] = ()
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    customer: str | None = None
    reviewer: str | None = None  # "me", "none", or a username / email / id
    created_since: datetime | None = None
    created_before: datetime | None = None
    risk_at_least: int | None = None


@dataclass(frozen=True)
class LoanRow:
    id: int
    status: str
    loan_type: str
    amount: Naira
    term: int | None  # months requested
    customer: str | None
    reviewer: str | None
    risk_score: int | None
    credit_score: int | None
    monthly_income: Naira | None
    documents_verified: bool | None
    created_at: datetime | None
    service_request_id: int | None
    cursor: str = field(default="", repr=False)


@dataclass(frozen=True)
class LoanPage:
    rows: list[LoanRow]
    next_cursor: str | None


def make_filter(
    now: datetime,
    *,
    statuses: list[str] | tuple[str, ...] = (),
    loan_types: list[str] | tuple[str, ...] = (),
    min_amount: str | None = None,
    max_amount: str | None = None,
    customer: str | None = None,
    reviewer: str | None = None,
    since: str | None = None,
    before: str | None = None,
    risk_at_least: int | None = None,
) -> LoanFilter:
    """A validated filter from what was typed; each bad value is InvalidInput (exit 2) naming its option."""
    low = parse_amount(min_amount, what="--min-amount") if min_amount is not None else None
    high = parse_amount(max_amount, what="--max-amount") if max_amount is not None else None
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"--min-amount {low} is more than --max-amount {high}", hint="swap them")
    if risk_at_least is not None and not 0 <= risk_at_least <= 100:
        raise InvalidInput(f"--risk-at-least {risk_at_least} is out of range", hint="risk scores are 0 to 100")
    return LoanFilter(
        statuses=parse_statuses(statuses) if statuses else OPEN_STATUSES,
        loan_types=tuple(check_loan_type(t, what="--type") for t in _split(loan_types)),
        min_amount=low,
        max_amount=high,
        customer=customer.strip() if customer else None,
        reviewer=reviewer.strip() if reviewer else None,
        created_since=parse_moment(since, now, what="--since") if since else None,
        created_before=parse_moment(before, now, what="--before") if before else None,
        risk_at_least=risk_at_least,
    )


def list_loans(
    connection: Any, flt: LoanFilter, *, operator_id: int | None, limit: int = 50, after: str | None = None
) -> LoanPage:
    """One page of the queue, oldest first. Raises InvalidInput for a bad limit or cursor."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit {limit} is out of range", hint=f"give 1 to {MAX_LIMIT}")
    conditions = conditions_for(connection, flt, operator_id)
    if after:
        position = paging.decode_cursor(after, CURSOR_KIND, (datetime, int))
        conditions.append(tuple_(la.c.created_at, la.c.id) > tuple_(*position))
    page = (
        select(la).where(*conditions).order_by(la.c.created_at, la.c.id).limit(limit + 1).subquery("page")
    )
    customer, reviewer = users.alias("customer"), users.alias("reviewer")
    query = (
        select(page, customer.c.username.label("customer"), reviewer.c.username.label("reviewer"))
        .select_from(page.outerjoin(customer, customer.c.id == page.c.user_id)
                     .outerjoin(reviewer, reviewer.c.id == page.c.reviewed_by))
        .order_by(page.c.created_at, page.c.id)
    )
    fetched = connection.execute(query).all()
    rows = [_row(r) for r in fetched[:limit]]
    return LoanPage(rows, rows[-1].cursor if len(fetched) > limit and rows else None)


def conditions_for(connection: Any, flt: LoanFilter, operator_id: int | None) -> list[Any]:
    """The WHERE conditions of a filter (shared by list and stats)."""
    conditions: list[Any] = [status_condition(flt.statuses)]
    if flt.loan_types:
        conditions.append(la.c.loan_type.in_(flt.loan_types))
    if flt.min_amount is not None:
        conditions.append(la.c.loan_amount >= flt.min_amount)
    if flt.max_amount is not None:
        conditions.append(la.c.loan_amount <= flt.max_amount)
    if flt.customer is not None:
        conditions.append(la.c.user_id == find_person(connection, flt.customer, role="customer").id)
    if flt.reviewer is not None:
        conditions.append(_reviewer_condition(connection, flt.reviewer, operator_id))
    if flt.created_since is not None:
        conditions.append(la.c.created_at >= flt.created_since)
    if flt.created_before is not None:
        conditions.append(la.c.created_at < flt.created_before)
    if flt.risk_at_least is not None:
        conditions.append(la.c.risk_score >= flt.risk_at_least)
    return conditions


def status_condition(statuses: tuple[str, ...]) -> Any:
    # Literal constants (validated): the planner must see them to use the partial queue index.
    if len(statuses) == len(STATUS_GROUPS["all"]):
        return text("true")
    return text("loan_applications.application_status IN ({})".format(", ".join(f"'{s}'" for s in statuses)))


def _reviewer_condition(connection: Any, who: str, operator_id: int | None) -> Any:
    lowered = who.lower()
    if lowered == "none":
        return la.c.reviewed_by.is_(None)
    if lowered == "me":
        if operator_id is None:
            raise InvalidInput("--reviewer me needs a signed-in operator", hint="sign in with `gmctl login`")
        return la.c.reviewed_by == operator_id
    return la.c.reviewed_by == find_person(connection, who, role="reviewer").id


def _row(r: Any) -> LoanRow:
    return LoanRow(
        r.id, r.application_status, r.loan_type, Naira(r.loan_amount), r.requested_term_months, r.customer,
        r.reviewer, r.risk_score, r.credit_score,
        Naira(r.monthly_income) if r.monthly_income is not None else None, r.documents_verified,
        r.created_at, r.service_request_id, paging.encode_cursor(CURSOR_KIND, [r.created_at, r.id]),
    )


def _split(values: list[str] | tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_statuses(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """--status values (repeatable, comma-separated; open / closed / all) as a tuple of statuses."""
    chosen: list[str] = []
    for word in _split(values):
        lowered = word.lower()
        group = STATUS_GROUPS[lowered] if lowered in STATUS_GROUPS else (check_status_name(word),)
        chosen.extend(s for s in group if s not in chosen)
    if not chosen:
        raise InvalidInput("--status is empty", hint="give a status, or open, closed or all")
    return tuple(chosen)
