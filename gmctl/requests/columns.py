"""Lightweight Core views of the tables the hot read paths touch, and the queue's sort key.

`requests list` and `requests search` build their SQL from these instead of the ORM models:
importing gmctl.db.models (and sqlalchemy.orm with it) costs about 120 ms, which on its own
would break the start-up goal of `requests list`. tests/requests/test_columns.py checks every
column named here against the models, so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import DateTime, Integer, Numeric, String, Text, column, literal_column, table

from gmctl.requests.states import OPEN_STATUSES

service_requests = table(
    "service_requests",
    column("id", Integer),
    column("user_id", Integer),
    column("service_type", String),
    column("title", String),
    column("description", Text),
    column("status", String),
    column("priority", String),
    column("urgency_level", Integer),
    column("estimated_cost", Numeric),
    column("final_cost", Numeric),
    column("currency", String),
    column("assigned_to", Integer),
    column("assigned_at", DateTime(timezone=True)),
    column("scheduled_date", DateTime(timezone=True)),
    column("completed_at", DateTime(timezone=True)),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
    column("search_vector"),
)

users = table(
    "users",
    column("id", Integer),
    column("username", String),
    column("email", String),
    column("first_name", String),
    column("last_name", String),
    column("is_active", Integer),
    column("is_staff", Integer),
)

PRIORITY_ORDER = ("urgent", "high", "normal", "low")
PRIORITY_BASE = {"urgent": 0, "high": 10, "normal": 20, "low": 30}

# The queue's order in one integer: priority first (urgent 0, high 10, normal 20, low 30), then
# urgency 5 before 1, so urgent/5 = -5 ... low/1 = 29. One ascending key (with created_at, id)
# lets keyset paging use a plain row comparison on one btree index. The text must stay identical
# to the expression of the gm05 indexes, or the planner will not match them.
QUEUE_RANK_SQL = (
    "(CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 10 WHEN 'normal' THEN 20 ELSE 30 END"
    " - COALESCE(urgency_level, 1))"
)
# Statuses are validated against a fixed list, so they can be written literally: the planner
# must see constants to prove that a query implies a partial index's predicate.
OPEN_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


def queue_rank():  # -> ColumnElement[int]
    # Unqualified on purpose: no other table in these queries has priority or urgency_level.
    return literal_column(QUEUE_RANK_SQL, Integer)


def rank_range(priority: str) -> tuple[int, int]:
    """The smallest and largest queue rank a request of this priority can have."""
    base = PRIORITY_BASE[priority]
    return base - 5, base - 1
