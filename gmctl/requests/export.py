"""Every request matching a filter, streamed in id order through a server-side cursor.

`yield_per` makes psycopg use a named (server-side) cursor and fetch BATCH rows at a time, so
memory stays flat whether the export is a hundred rows or five million.
"""

from __future__ import annotations

from typing import Any, Iterator

from sqlalchemy import select

from gmctl.requests.columns import service_requests as sr
from gmctl.requests.queue import QueueFilter, filter_conditions, with_people

BATCH = 2000
COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "status",
    "priority",
    "urgency",
    "service_type",
    "title",
    "customer_id",
    "customer",
    "assignee",
    "assigned_at",
    "scheduled_date",
    "completed_at",
    "estimated_cost",
    "final_cost",
    "currency",
    "description",
)


def export_requests(
    session: Any, flt: QueueFilter, *, operator_id: int | None, batch: int = BATCH
) -> Iterator[dict[str, Any]]:
    joined, customer, assignee = with_people(sr)
    query = (
        select(
            sr.c.id,
            sr.c.created_at,
            sr.c.updated_at,
            sr.c.status,
            sr.c.priority,
            sr.c.urgency_level.label("urgency"),
            sr.c.service_type,
            sr.c.title,
            sr.c.user_id.label("customer_id"),
            customer,
            assignee,
            sr.c.assigned_at,
            sr.c.scheduled_date,
            sr.c.completed_at,
            sr.c.estimated_cost,
            sr.c.final_cost,
            sr.c.currency,
            sr.c.description,
        )
        .select_from(joined)
        .where(*filter_conditions(session, flt, operator_id))
        .order_by(sr.c.id)
        .execution_options(yield_per=batch)
    )
    for row in session.execute(query):
        yield dict(row._mapping)
