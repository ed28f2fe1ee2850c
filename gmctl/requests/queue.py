"""The request list: filters, sort orders and keyset paging (never OFFSET).

By default the open queue (pending, confirmed, in_progress, on_hold), most pressing first:
priority (urgent first), then urgency (5 first), then age (oldest first), then id. A page is
`--limit` rows after a cursor; the cursor names the sort and the last row's sort key, so the next
page is one index range scan however deep it is. Every sort/filter pair that staff use all day
has an index (migrations gm05_triage_indexes, which explains each one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text, tuple_

from gmctl.errors import InvalidInput
from gmctl.requests.columns import PRIORITY_ORDER, queue_rank, rank_range, users
from gmctl.requests.columns import service_requests as sr
from gmctl.requests.people import find_person
from gmctl.requests.states import OPEN_STATUSES, STATUSES, check_status_name
from gmctl import paging
from gmctl.when import parse_moment

SORTS = ("queue", "newest", "oldest")
SERVICE_TYPES = (
    "automotive", "hotel", "logistics", "rental", "gadgets", "loans", "jewelry",
    "car_service", "paperwork", "creative_services", "web_development",
)  # fmt: skip
STATUS_GROUPS = {"open": OPEN_STATUSES, "closed": ("completed", "cancelled", "failed"), "all": STATUSES}
MAX_LIMIT = 1000


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = OPEN_STATUSES
    service_types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    min_urgency: int | None = None
    assignee: str | None = None  # "me", "none", or a username / email / id
    customer: str | None = None
    created_since: datetime | None = None
    created_before: datetime | None = None

    @property
    def only_open(self) -> bool:
        return set(self.statuses) <= set(OPEN_STATUSES)


@dataclass(frozen=True)
class QueueRow:
    id: int
    status: str
    priority: str
    urgency: int | None
    service_type: str
    title: str
    customer: str | None
    assignee: str | None
    created_at: datetime | None
    estimated_cost: Decimal | None
    currency: str | None
    cursor: str = field(default="", repr=False)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    sort: str
    next_cursor: str | None  # None: this was the last page


def make_filter(
    now: datetime,
    *,
    statuses: list[str] | tuple[str, ...] = (),
    service_types: list[str] | tuple[str, ...] = (),
    priorities: list[str] | tuple[str, ...] = (),
    min_urgency: int | None = None,
    assignee: str | None = None,
    customer: str | None = None,
    since: str | None = None,
    before: str | None = None,
) -> QueueFilter:
    """A validated filter from what was typed; every bad value is InvalidInput naming it."""
    return QueueFilter(
        statuses=_statuses(statuses) if statuses else OPEN_STATUSES,
        service_types=tuple(_one_of(t, SERVICE_TYPES, "service type") for t in service_types),
        priorities=tuple(_one_of(p, PRIORITY_ORDER, "priority") for p in priorities),
        min_urgency=_urgency(min_urgency),
        assignee=assignee.strip() if assignee else None,
        customer=customer.strip() if customer else None,
        created_since=parse_moment(since, now, what="--since") if since else None,
        created_before=parse_moment(before, now, what="--before") if before else None,
    )


def list_requests(
    session: Any,
    flt: QueueFilter,
    *,
    operator_id: int | None,
    sort: str | None = None,
    limit: int = 50,
    after: str | None = None,
) -> QueuePage:
    """One page of requests. `sort` None: the queue order for open statuses, newest otherwise."""
    sort = sort or ("queue" if flt.only_open else "newest")
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}", hint=f"sorts: {', '.join(SORTS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit {limit} is out of range", hint=f"give 1 to {MAX_LIMIT}")
    key = _sort_key(sort)
    conditions = filter_conditions(session, flt, operator_id)
    if after:
        position = decode_cursor(after, sort)
        keyset = tuple_(*key)
        conditions.append(keyset < tuple_(*position) if sort == "newest" else keyset > tuple_(*position))
    fetched = session.execute(
        _page_select(key, conditions, descending=sort == "newest", limit=limit + 1)
    ).all()
    rows = [_row(r, sort, len(key)) for r in fetched[:limit]]
    more = len(fetched) > limit
    return QueuePage(rows, sort, rows[-1].cursor if more and rows else None)


def queue_row(session: Any, request_id: int) -> QueueRow | None:
    """One request as the list shows it (the triage loop re-reads the request it is on)."""
    key = _sort_key("queue")
    found = session.execute(_page_select(key, [sr.c.id == request_id], descending=False, limit=1)).first()
    return _row(found, "queue", len(key)) if found is not None else None


def _page_select(key: list[Any], conditions: list[Any], *, descending: bool, limit: int) -> Any:
    """The page of requests first (one index range scan, LIMIT inside), then the names of its
    customers and assignees: the joins run for the page's rows only, whatever plan is chosen."""
    page = (
        select(
            sr.c.id,
            sr.c.status,
            sr.c.priority,
            sr.c.urgency_level.label("urgency"),
            sr.c.service_type,
            sr.c.title,
            sr.c.user_id,
            sr.c.assigned_to,
            sr.c.created_at,
            sr.c.estimated_cost,
            sr.c.currency,
            *[k.label(f"k{i}") for i, k in enumerate(key)],
        )
        .where(*conditions)
        .order_by(*(k.desc() if descending else k.asc() for k in key))
        .limit(limit)
        .subquery("page")
    )
    joined, customer, assignee = with_people(page)
    keys = [page.c[f"k{i}"] for i in range(len(key))]
    return (
        select(
            page.c.id,
            page.c.status,
            page.c.priority,
            page.c.urgency,
            page.c.service_type,
            page.c.title,
            customer,
            assignee,
            page.c.created_at,
            page.c.estimated_cost,
            page.c.currency,
            *keys,
        )
        .select_from(joined)
        .order_by(*(k.desc() if descending else k.asc() for k in keys))
    )


def with_people(requests: Any) -> tuple[Any, Any, Any]:
    """`requests` (the table or a subquery of it) joined to the customer's and the assignee's
    usernames: the join, and the two name columns, labelled customer and assignee."""
    customer, assignee = users.alias("customer"), users.alias("assignee")
    joined = requests.outerjoin(customer, customer.c.id == requests.c.user_id).outerjoin(
        assignee, assignee.c.id == requests.c.assigned_to
    )
    return joined, customer.c.username.label("customer"), assignee.c.username.label("assignee")


def _sort_key(sort: str) -> list[Any]:
    if sort == "queue":
        return [queue_rank(), sr.c.created_at, sr.c.id]
    return [sr.c.created_at, sr.c.id]


def filter_conditions(session: Any, flt: QueueFilter, operator_id: int | None) -> list[Any]:
    conditions: list[Any] = [_status_condition(flt.statuses)]
    if flt.service_types:
        conditions.append(sr.c.service_type.in_(flt.service_types))
    if flt.priorities:
        conditions.extend(_priority_conditions(flt.priorities))
    if flt.min_urgency is not None:
        conditions.append(sr.c.urgency_level >= flt.min_urgency)
    if flt.assignee is not None:
        conditions.append(_assignee_condition(session, flt.assignee, operator_id))
    if flt.customer is not None:
        conditions.append(sr.c.user_id == find_person(session, flt.customer, role="customer").id)
    if flt.created_since is not None:
        conditions.append(sr.c.created_at >= flt.created_since)
    if flt.created_before is not None:
        conditions.append(sr.c.created_at < flt.created_before)
    return conditions


def _priority_conditions(priorities: tuple[str, ...]) -> list[Any]:
    """Priorities as a range of the queue key, so the queue index seeks straight to them.

    Urgency is 1 to 5 (a CHECK), so each priority owns a range of ranks of its own and a run of
    adjacent priorities is exactly one range: no separate test on priority, which would also make
    the planner count the same rows out twice and misjudge the plan. Non-adjacent ones (urgent and
    low) take the covering range and filter."""
    positions = sorted(PRIORITY_ORDER.index(p) for p in priorities)
    low = rank_range(PRIORITY_ORDER[positions[0]])[0]
    high = rank_range(PRIORITY_ORDER[positions[-1]])[1]
    conditions = [queue_rank().between(low, high)]
    if positions != list(range(positions[0], positions[-1] + 1)):
        conditions.append(sr.c.priority.in_(priorities))
    return conditions


def _status_condition(statuses: tuple[str, ...]) -> Any:
    # Literal constants (validated above): the planner must see them to use a partial index.
    if len(statuses) == 1:
        return text(f"service_requests.status = '{statuses[0]}'")
    return text("service_requests.status IN ({})".format(", ".join(f"'{s}'" for s in statuses)))


def _assignee_condition(session: Any, who: str, operator_id: int | None) -> Any:
    lowered = who.lower()
    if lowered == "none":
        return sr.c.assigned_to.is_(None)
    if lowered == "me":
        if operator_id is None:
            raise InvalidInput(
                "--assigned-to me needs a signed-in operator", hint="sign in with `gmctl login`"
            )
        return sr.c.assigned_to == operator_id
    return sr.c.assigned_to == find_person(session, who, role="assignee").id


def _row(r: Any, sort: str, width: int) -> QueueRow:
    position = [getattr(r, f"k{i}") for i in range(width)]
    return QueueRow(
        r.id,
        r.status,
        r.priority,
        r.urgency,
        r.service_type,
        r.title,
        r.customer,
        r.assignee,
        r.created_at,
        r.estimated_cost,
        r.currency,
        encode_cursor(sort, position),
    )


# -- cursors --------------------------------------------------------------------------------
def encode_cursor(sort: str, position: list[Any]) -> str:
    """The `--after` token of a queue row (gmctl.paging, kind = the sort)."""
    return paging.encode_cursor(sort, position)


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort key a cursor points after. A cursor of another sort or a damaged one is refused."""
    shape = (int, datetime, int) if sort == "queue" else (datetime, int)
    return paging.decode_cursor(cursor, sort, shape)


# -- validation -------------------------------------------------------------------------------
def _statuses(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            word = part.strip().lower()
            if not word:
                continue
            group = STATUS_GROUPS[word] if word in STATUS_GROUPS else (check_status_name(word),)
            for status in group:
                if status not in chosen:
                    chosen.append(status)
    if not chosen:
        raise InvalidInput("--status is empty", hint="give a status, or open, closed or all")
    return tuple(chosen)


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    word = value.strip().lower().replace("-", "_")
    if word not in allowed:
        raise InvalidInput(f"unknown {what} {value!r}", hint=f"{what}s: {', '.join(allowed)}")
    return word


def _urgency(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 5:
        raise InvalidInput(f"urgency {value} is out of range", hint="urgency is 1 (low) to 5 (high)")
    return value
