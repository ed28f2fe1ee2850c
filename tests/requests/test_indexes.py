"""The queue's SQL and the gm05 indexes agree: same sort-key text everywhere, and the planner uses them."""

from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy import event, text

from gmctl import schema
from gmctl.db.models import ServiceRequest, StatusChange, User
from gmctl.db.models import service_requests as model
from gmctl.requests import columns
from gmctl.requests.queue import list_requests, make_filter
from tests.conftest import FIXED_NOW


def migration():
    path = schema.MIGRATIONS_DIR / "versions" / "gm05_triage_indexes.py"
    spec = importlib.util.spec_from_file_location("gm05", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def words(sql: str) -> str:
    return " ".join(sql.split())


def test_the_sort_key_and_open_statuses_are_spelled_alike_everywhere():
    gm05 = migration()
    assert (
        words(columns.QUEUE_RANK_SQL)
        == words(gm05.QUEUE_RANK)
        == words(model.QUEUE_RANK_SQL).replace("( ", "(")
    )
    assert columns.OPEN_SQL == gm05.OPEN == model.OPEN_SQL
    modelled = {index.name for table in (ServiceRequest, StatusChange) for index in table.__table__.indexes}
    assert set(gm05.INDEXES) <= modelled


def test_the_lightweight_tables_name_real_columns():
    for light, mapped in (
        (columns.service_requests, ServiceRequest.__table__),
        (columns.users, User.__table__),
    ):
        assert {c.name for c in light.columns} <= {c.name for c in mapped.columns}


def planned(session, connection, ada, **kw) -> str:
    """The plan PostgreSQL picks for the page query list_requests sends, seq scans ruled out."""
    sent = []
    listener = lambda conn, cursor, statement, params, *a: sent.append((statement, params))  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        sort = kw.pop("sort", None)
        list_requests(session, make_filter(FIXED_NOW, **kw), operator_id=ada.id, sort=sort, limit=50)
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    statement, params = sent[-1]
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_bitmapscan = off"))
    rows = connection.exec_driver_sql("EXPLAIN " + statement, params).scalars().all()
    return "\n".join(rows)


@pytest.mark.parametrize("kw,index", [
    ({}, "idx_service_requests_queue"),
    ({"priorities": ["low"]}, "idx_service_requests_queue"),
    ({"service_types": ["hotel"]}, "idx_service_requests_queue_type"),
    ({"assignee": "me"}, "idx_service_requests_queue_assignee"),
    ({"sort": "newest"}, "idx_service_requests_open_created"),
])  # fmt: skip
def test_the_planner_matches_each_query_to_its_index(session, connection, ada, make_request, kw, index):
    make_request()
    plan = planned(session, connection, ada, **kw)
    assert f"Index Scan using {index} " in plan or f"Index Scan Backward using {index} " in plan, plan
    assert " Sort " not in plan, plan  # the index gives the order: a page never sorts the queue


def test_unassigned_reads_the_queue_in_order(session, connection, ada, make_request):
    """`--assigned-to none`: IS NULL is no equality for the planner, so on a big table it walks the
    queue index in order and filters (bench/requests_queries.py measures it at scale); here it
    must at least use one of the queue indexes."""
    make_request()
    plan = planned(session, connection, ada, assignee="none")
    assert "using idx_service_requests_queue" in plan, plan
