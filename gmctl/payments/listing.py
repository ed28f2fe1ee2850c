"""`payments list`: the ledger, newest first, filtered, a page at a time (keyset paging, never OFFSET).

Sort: created_at descending, then id descending; the cursor (gmctl.paging, kind "payments") holds
the last row's (created_at, id), so a page deep in 5M payments is one range scan of
idx_payments_created_at. Filters:
- statuses, gateways, methods: exact words (checked against the table's CHECK lists);
- customer: username, email or id (the payer); request: a service request id;
- since/before: Lagos days (`--before 2026-11-30` includes 30 November; a time is taken as given);
- min/max amount: NGN, inclusive; reference: matched
  as typed: a prefix of our reference (GMS-2026-8W) or the gateway's whole transaction id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import text

from gmctl import paging
from gmctl.errors import InvalidInput
from gmctl.payments.statuses import LEDGER_STATUSES
from gmctl.when import parse_moment

GATEWAYS = ("stripe", "paypal", "paystack", "flutterwave", "razorpay")
METHODS = ("card", "bank_transfer", "wallet", "cash", "crypto")
MAX_LIMIT = 1000
CURSOR_KIND = "payments"


@dataclass(frozen=True)
class PaymentFilter:
    statuses: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    customer_id: int | None = None
    request_id: int | None = None
    since: datetime | None = None  # created at or after (aware)
    before: datetime | None = None  # created before (aware; a date means the end of that Lagos day)
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    reference: str | None = None


@dataclass
class PaymentPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def words(values: Sequence[str] | None, allowed: Sequence[str], option: str) -> tuple[str, ...]:
    """Repeatable or comma-separated words, each checked against `allowed` (InvalidInput, exit 2)."""
    chosen: list[str] = []
    for value in values or ():
        for part in value.split(","):
            word = part.strip().lower()
            if not word:
                continue
            if word not in allowed:
                raise InvalidInput(f"{option} {word!r} is not one of {', '.join(allowed)}",
                                   hint=f"{option} takes {', '.join(allowed)} (repeat or comma-separate)")
            if word not in chosen:
                chosen.append(word)
    return tuple(chosen)


def day_bound(value: str | None, now: datetime, *, end: bool, what: str) -> datetime | None:
    """A --since/--before value as an aware moment. A bare date is a Lagos day: its start for
    --since, and the start of the NEXT day for --before/--until (so the end date is inclusive)."""
    if value is None:
        return None
    moment = parse_moment(value, now, what=what)
    if end and len(value.strip()) == 10:
        moment = moment + timedelta(days=1)
    return moment


def make_filter(session: Any, now: datetime, *, statuses: Sequence[str] | None = None,
                gateways: Sequence[str] | None = None, methods: Sequence[str] | None = None,
                customer: str | None = None, request: int | None = None, since: str | None = None,
                before: str | None = None, min_amount: str | None = None, max_amount: str | None = None,
                reference: str | None = None) -> PaymentFilter:
    """Check and convert the options of `payments list` (InvalidInput exit 2, NotFound exit 3)."""
    from gmctl.money import parse_amount
    from gmctl.requests.people import find_person

    low = parse_amount(min_amount, what="--min-amount", precision=10) if min_amount else None
    high = parse_amount(max_amount, what="--max-amount", precision=10) if max_amount else None
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"--min-amount {low} is more than --max-amount {high}",
                           hint="swap them, or drop one")
    start = day_bound(since, now, end=False, what="--since")
    stop = day_bound(before, now, end=True, what="--before")
    if start and stop and start >= stop:
        raise InvalidInput("--since is not before --before", hint="give --since the earlier day")
    ref = reference.strip() if reference else None
    if reference is not None and not ref:
        raise InvalidInput("--reference is empty", hint="give part of a gateway reference")
    return PaymentFilter(
        statuses=words(statuses, LEDGER_STATUSES, "--status"),
        gateways=words(gateways, GATEWAYS, "--gateway"),
        methods=words(methods, METHODS, "--method"),
        customer_id=find_person(session, customer, role="customer").id if customer else None,
        request_id=request, since=start, before=stop, min_amount=low, max_amount=high, reference=ref,
    )


SELECT = """
SELECT p.id, p.status, p.amount, p.currency, p.gateway, p.payment_method AS method,
       p.gateway_reference AS reference, p.gateway_transaction_id AS transaction_id,
       (SELECT u.username FROM users u WHERE u.id = p.user_id) AS customer,
       p.service_request_id AS request_id, p.description, p.created_at, p.completed_at
FROM payments p
"""
# The customer is a scalar subquery, not a join: it runs for the (at most 51) rows the page keeps,
# after the sort and limit, whatever the planner guesses about a filter (a join made it hash all
# of users for a one-row reference lookup: 70 ms at 5M payments).


def conditions(flt: PaymentFilter) -> tuple[list[str], dict[str, Any]]:
    """SQL WHERE terms and their parameters for a filter (shared by list and summary)."""
    terms: list[str] = []
    params: dict[str, Any] = {}
    if flt.statuses:
        terms.append("p.status = ANY(:statuses)")
        params["statuses"] = list(flt.statuses)
    if flt.gateways:
        terms.append("p.gateway = ANY(:gateways)")
        params["gateways"] = list(flt.gateways)
    if flt.methods:
        terms.append("p.payment_method = ANY(:methods)")
        params["methods"] = list(flt.methods)
    if flt.customer_id is not None:
        terms.append("p.user_id = :customer_id")
        params["customer_id"] = flt.customer_id
    if flt.request_id is not None:
        terms.append("p.service_request_id = :request_id")
        params["request_id"] = flt.request_id
    if flt.since is not None:
        terms.append("p.created_at >= :since")
        params["since"] = flt.since
    if flt.before is not None:
        terms.append("p.created_at < :before")
        params["before"] = flt.before
    if flt.min_amount is not None:
        terms.append("p.amount >= :min_amount")
        params["min_amount"] = flt.min_amount
    if flt.max_amount is not None:
        terms.append("p.amount <= :max_amount")
        params["max_amount"] = flt.max_amount
    if flt.reference:
        # A prefix of our reference (idx_payments_gateway_reference, pattern ops) or the gateway's
        # whole transaction id: both are index lookups at 5M payments, where '%x%' would scan them all.
        terms.append("(p.gateway_reference LIKE :reference_prefix OR p.gateway_transaction_id = :reference)")
        params["reference"] = flt.reference
        params["reference_prefix"] = flt.reference.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return terms, params


def list_payments(connection: Any, flt: PaymentFilter, *, limit: int = 50,
                  after: str | None = None) -> PaymentPage:
    """One page of payments, newest first: rows (dicts; amount a Naira) and the next page's cursor."""
    from gmctl.money import Naira

    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}",
                           hint="page through with --after instead")
    terms, params = conditions(flt)
    if after:
        created, last_id = paging.decode_cursor(after, CURSOR_KIND, (datetime, int))
        terms.append("(p.created_at, p.id) < (:after_created, :after_id)")
        params.update(after_created=created, after_id=last_id)
    where = f"WHERE {' AND '.join(terms)}" if terms else ""
    sql = f"{SELECT} {where} ORDER BY p.created_at DESC, p.id DESC LIMIT :limit"
    fetched = connection.execute(text(sql), {**params, "limit": limit + 1}).mappings().all()
    rows = []
    for r in fetched[:limit]:
        row = dict(r)
        row["amount"] = Naira(row["amount"])
        row["cursor"] = paging.encode_cursor(CURSOR_KIND, [row["created_at"], row["id"]])
        rows.append(row)
    more = len(fetched) > limit
    return PaymentPage(rows, rows[-1]["cursor"] if more and rows else None)
