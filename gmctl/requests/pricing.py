"""Priority, urgency and cost: what makes a request more pressing or more expensive.

Money is exact: amounts are parsed into Decimal from the text typed, never through float, and an
amount with more than two decimal places is refused rather than rounded. Amounts are NGN unless
--currency says otherwise; a request already priced in another currency is never silently
re-read as naira (or the reverse): the command is refused and says what to pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gmctl.errors import InvalidInput
from gmctl.requests.columns import PRIORITY_ORDER
from gmctl.requests.locking import lock_request

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEFAULT_CURRENCY = "NGN"
MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12,2)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class FieldResult:
    request_id: int
    field: str
    old: Any
    new: Any
    changed: bool


@dataclass(frozen=True)
class CostResult:
    request_id: int
    estimated_cost: Decimal | None
    final_cost: Decimal | None
    currency: str
    changed: bool


def parse_amount(text: str, *, what: str = "amount") -> Decimal:
    """An exact amount for a request's cost, 0 to 9,999,999,999.99 (NUMERIC(12,2)): gmctl.money's parser."""
    from gmctl.money import parse_amount as parse_money

    return parse_money(text, what=what, precision=12, places=2, allow_zero=True)


def parse_currency(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidInput(f"currency {text!r} is not a three-letter code", hint="for example NGN, USD, GBP")
    return code


def set_priority(
    session: "Session",
    operator: Any,
    request_id: int,
    level: str,
    *,
    now: datetime,
    expect_status: str | None = None,
) -> FieldResult:
    word = level.strip().lower()
    if word not in PRIORITY_ORDER:
        raise InvalidInput(
            f"unknown priority {level!r}", hint=f"priorities: {', '.join(reversed(PRIORITY_ORDER))}"
        )
    return _set_field(session, operator, request_id, "priority", word, now, expect_status)


def set_urgency(
    session: "Session",
    operator: Any,
    request_id: int,
    level: int,
    *,
    now: datetime,
    expect_status: str | None = None,
) -> FieldResult:
    if not 1 <= level <= 5:
        raise InvalidInput(f"urgency {level} is out of range", hint="urgency is 1 (low) to 5 (high)")
    return _set_field(session, operator, request_id, "urgency_level", level, now, expect_status)


def _set_field(
    session: "Session",
    operator: Any,
    request_id: int,
    field: str,
    value: Any,
    now: datetime,
    expect_status: str | None,
) -> FieldResult:
    from gmctl import audit

    request = lock_request(session, request_id, expect_status=expect_status)
    old = getattr(request, field)
    if old == value:
        return FieldResult(request_id, field, old, value, False)
    setattr(request, field, value)
    request.updated_at = now
    audit.record(
        session,
        operator,
        f"requests.{field.removesuffix('_level')}",
        "service_request",
        request_id,
        changes={field: (old, value)},
        at=now,
    )
    return FieldResult(request_id, field, old, value, True)


def set_cost(
    session: "Session",
    operator: Any,
    request_id: int,
    *,
    now: datetime,
    estimate: str | None = None,
    final: str | None = None,
    currency: str | None = None,
    expect_status: str | None = None,
) -> CostResult:
    from gmctl import audit

    if estimate is None and final is None:
        raise InvalidInput("nothing to set", hint="give --estimate AMOUNT, --final AMOUNT or both")
    new_estimate = parse_amount(estimate, what="--estimate") if estimate is not None else None
    new_final = parse_amount(final, what="--final") if final is not None else None
    wanted = parse_currency(currency) if currency is not None else DEFAULT_CURRENCY
    request = lock_request(session, request_id, expect_status=expect_status)
    current = request.currency or DEFAULT_CURRENCY
    if wanted != current:
        _check_currency_change(
            request, current, wanted, currency is not None, estimate is not None, final is not None
        )
    after = {
        "estimated_cost": new_estimate if estimate is not None else request.estimated_cost,
        "final_cost": new_final if final is not None else request.final_cost,
        "currency": wanted,
    }
    changes = {k: (getattr(request, k), v) for k, v in after.items() if getattr(request, k) != v}
    if changes:
        for key, value in after.items():
            setattr(request, key, value)
        request.updated_at = now
        audit.record(
            session, operator, "requests.cost", "service_request", request_id, changes=changes, at=now
        )
    return CostResult(request_id, after["estimated_cost"], after["final_cost"], wanted, bool(changes))


def _check_currency_change(
    request: Any, current: str, wanted: str, given: bool, sets_estimate: bool, sets_final: bool
) -> None:
    if not given:
        raise InvalidInput(
            f"request {request.id} is priced in {current}; amounts without --currency are {DEFAULT_CURRENCY}",
            hint=f"pass --currency {current} to keep its currency,"
            f" or --currency {DEFAULT_CURRENCY} with both amounts",
        )
    kept = [
        name
        for name, sets, value in (
            ("estimate", sets_estimate, request.estimated_cost),
            ("final cost", sets_final, request.final_cost),
        )
        if not sets and value is not None
    ]
    if kept:
        raise InvalidInput(
            f"request {request.id}'s {kept[0]} is in {current};"
            f" changing the currency to {wanted} would re-read it",
            hint=f"give both --estimate and --final in {wanted}, or pass --currency {current}",
        )
