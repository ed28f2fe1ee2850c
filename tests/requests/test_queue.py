"""The queue: its default order, every filter, sorts and keyset paging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gmctl.errors import InvalidInput, NotFound
from gmctl.requests.queue import decode_cursor, encode_cursor, list_requests, make_filter
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user


def ids(page):
    return [row.id for row in page.rows]


@pytest.fixture
def queue(session, ada, bola, customer, make_request):
    """A small queue whose right order is known: name -> request."""
    hours = lambda n: FIXED_NOW - timedelta(hours=n)  # noqa: E731
    other = make_user(session, "funmi")
    made = {
        "low_old": make_request(priority="low", urgency=5, created_at=hours(90)),
        "urgent_u5": make_request(priority="urgent", urgency=5, created_at=hours(1), service_type="hotel"),
        "urgent_u2_old": make_request(priority="urgent", urgency=2, created_at=hours(50), assigned_to=ada.id),
        "urgent_u2_new": make_request(priority="urgent", urgency=2, created_at=hours(5), status="on_hold"),
        "high_u3": make_request(
            priority="high", urgency=3, created_at=hours(3), status="in_progress", assigned_to=bola.id
        ),
        "normal_u1": make_request(
            priority="normal",
            urgency=1,
            created_at=hours(2),
            status="confirmed",
            customer_id=other.id,
            service_type="hotel",
        ),
        "done": make_request(priority="urgent", urgency=5, created_at=hours(4), status="completed"),
        "cancelled": make_request(priority="low", urgency=1, created_at=hours(6), status="cancelled"),
    }
    return {name: request.id for name, request in made.items()}


ORDER = ["urgent_u5", "urgent_u2_old", "urgent_u2_new", "high_u3", "normal_u1", "low_old"]


def listing(session, ada, **kw):
    sort, limit, after = kw.pop("sort", None), kw.pop("limit", 50), kw.pop("after", None)
    return list_requests(
        session, make_filter(FIXED_NOW, **kw), operator_id=ada.id, sort=sort, limit=limit, after=after
    )


def test_the_default_is_the_open_queue_by_priority_urgency_then_age(session, ada, queue):
    page = listing(session, ada)
    assert ids(page) == [queue[n] for n in ORDER]
    assert page.sort == "queue" and page.next_cursor is None


def test_keyset_pages_walk_the_whole_queue_once(session, ada, queue):
    seen, after = [], None
    for _ in range(10):
        page = listing(session, ada, limit=2, after=after)
        seen += ids(page)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [queue[n] for n in ORDER]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_age_sorts_page_too(session, ada, queue, sort):
    everything = ids(listing(session, ada, sort=sort))
    first = listing(session, ada, sort=sort, limit=4)
    rest = listing(session, ada, sort=sort, after=first.next_cursor)
    assert ids(first) + ids(rest) == everything
    assert everything[0 if sort == "oldest" else -1] == queue["low_old"]


@pytest.mark.parametrize("kw,expected", [
    ({"statuses": ["on_hold"]}, ["urgent_u2_new"]),
    ({"statuses": ["completed,cancelled"]}, ["done", "cancelled"]),
    ({"statuses": ["closed"]}, ["done", "cancelled"]),
    ({"service_types": ["hotel"]}, ["urgent_u5", "normal_u1"]),
    ({"priorities": ["urgent"]}, ["urgent_u5", "urgent_u2_old", "urgent_u2_new"]),
    ({"priorities": ["low", "high"]}, ["high_u3", "low_old"]),
    ({"min_urgency": 3}, ["urgent_u5", "high_u3", "low_old"]),
    ({"assignee": "me"}, ["urgent_u2_old"]),
    ({"assignee": "bola"}, ["high_u3"]),
    ({"assignee": "none"}, ["urgent_u5", "urgent_u2_new", "normal_u1", "low_old"]),
    ({"customer": "funmi"}, ["normal_u1"]),
    ({"since": "4h"}, ["urgent_u5", "high_u3", "normal_u1"]),
    ({"before": "2d"}, ["urgent_u2_old", "low_old"]),
    ({"statuses": ["all"], "priorities": ["urgent"], "min_urgency": 5}, ["urgent_u5", "done"]),
])  # fmt: skip
def test_filters(session, ada, queue, kw, expected):
    got = ids(listing(session, ada, **kw))
    assert got == [queue[n] for n in expected]


def test_a_closed_status_lists_newest_first_unless_sorted_otherwise(session, ada, queue):
    assert listing(session, ada, statuses=["closed"]).sort == "newest"
    assert listing(session, ada, statuses=["closed"], sort="queue").sort == "queue"


def test_rows_carry_names_and_their_own_cursor(session, ada, queue):
    row = listing(session, ada, assignee="me").rows[0]
    assert (row.customer, row.assignee, row.priority, row.urgency) == ("chinedu", "ada", "urgent", 2)
    assert listing(session, ada, after=row.cursor).rows[0].id == queue["urgent_u2_new"]


@pytest.mark.parametrize(
    "bad",
    [
        "garbage",
        "",
        "eyJ4Ijox",
        encode_cursor("newest", [FIXED_NOW, 1]),
        encode_cursor("queue", ["x", FIXED_NOW.isoformat(), 1]),
        encode_cursor("queue", [1, "not a time", 1]),
    ],
)
def test_a_damaged_or_foreign_cursor_is_refused(bad):
    with pytest.raises(InvalidInput, match="not a cursor"):
        decode_cursor(bad, "queue")


@pytest.mark.parametrize("kw,message", [
    ({"statuses": ["done"]}, "unknown status"),
    ({"service_types": ["spa"]}, "unknown service type"),
    ({"priorities": ["asap"]}, "unknown priority"),
    ({"min_urgency": 9}, "out of range"),
    ({"since": "yesterday"}, "not a date"),
])  # fmt: skip
def test_bad_filters_name_what_was_wrong(kw, message):
    with pytest.raises(InvalidInput, match=message):
        make_filter(FIXED_NOW, **kw)


def test_unknown_people_are_not_found(session, ada, queue):
    with pytest.raises(NotFound, match="no customer 'nobody'"):
        listing(session, ada, customer="nobody")
    with pytest.raises(NotFound, match="no assignee"):
        listing(session, ada, assignee="ghost")


@pytest.mark.parametrize("limit", [0, 1001])
def test_limit_out_of_range(session, ada, limit):
    with pytest.raises(InvalidInput, match="--limit"):
        listing(session, ada, limit=limit)
