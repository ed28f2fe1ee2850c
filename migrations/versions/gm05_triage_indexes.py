"""Indexes for the staff queue, its filters and keyset paging, and `requests stats` (issue 5).

Revision ID: gm05_triage_indexes
Revises: gm03_operator_sign_in

`gmctl requests list` orders the open queue by priority, then urgency, then age, and pages by
keyset. No seed index serves that order: priority is text ('urgent' must sort before 'high'),
urgency runs the other way, and the open queue includes on_hold, which the seed's partial
idx_service_requests_active leaves out. Without these indexes every page sorts every open request:
1.5 s for the first page of the queue on the benchmark database (5M requests, 395k open, 20M
history rows; bench/requests_queries.py), 0.9 s for `--urgency 5`, 1.2 s for `--priority low`.

The queue key is one integer, the expression QUEUE_RANK below (priority base 0/10/20/30 minus
urgency 1-5, so each priority owns a range), then created_at and id, all ascending: a page is
`WHERE (rank, created_at, id) > cursor ORDER BY rank, created_at, id LIMIT n`, one range scan of
one index however deep the page. The expression must match gmctl.requests.columns.QUEUE_RANK_SQL
(tests/requests/test_indexes.py checks it, and that the planner uses each index).

- idx_service_requests_queue (rank, created_at, id) WHERE open: the default queue (0.2 ms), and
  the filters that keep its order: priority (a range of the key), urgency >= N, unassigned, one
  open status, created since/before.
- idx_service_requests_queue_type (service_type, rank, created_at, id) WHERE open: `--type`, the
  filter each service desk lives in. With 11 evenly used types the queue index alone does it in
  0.9 ms instead of 0.5 ms; a type with 0.5% of the queue would make it walk 10,000 entries.
- idx_service_requests_queue_assignee (assigned_to, rank, created_at, id) INCLUDE (status) WHERE
  open: `--assigned-to`, and an index-only count of open work per person and status for
  `requests stats` and the assign picker (2.0 s by a sequential scan without it, 0.3 s with it).
- idx_service_requests_open_created (created_at, id) INCLUDE (status) WHERE open: `--sort
  newest|oldest` on the open queue, and index-only age buckets and SLA counts in `requests stats`.
- idx_service_status_history_completed (created_at) WHERE new_status = 'completed': completions
  per day in `requests stats` without reading 20M history rows.

The four on service_requests are partial, on open requests only (8% of the benchmark's rows):
108 MB together, against 424 MB for the seed's idx_service_requests_type_status_date alone, and
only open requests' writes maintain them. The planner uses them because the queries write the
status list as constants. Show (primary keys, the *_service_request indexes), search (GIN on
search_vector), the customer filter (idx_service_requests_user_id) and closed statuses listed
newest first (idx_service_requests_created_at) are served by existing indexes: a
(status, created_at) index was tried and the planner never chose it.

CREATE INDEX takes a SHARE lock on the table while it builds (seconds per index at 5M rows). On a
busy production database, build them first with CREATE INDEX CONCURRENTLY under the same names:
this migration then finds them (IF NOT EXISTS).
"""

from __future__ import annotations

from alembic import op

revision = "gm05_triage_indexes"
down_revision = "gm03_operator_sign_in"
branch_labels = None
depends_on = None

QUEUE_RANK = (
    "(CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 10 WHEN 'normal' THEN 20 ELSE 30 END"
    " - COALESCE(urgency_level, 1))"
)
OPEN = "status IN ('pending', 'confirmed', 'in_progress', 'on_hold')"

ON_OPEN_REQUESTS = "ON service_requests ({}) {}WHERE " + OPEN
INDEXES = {
    "idx_service_requests_queue": ON_OPEN_REQUESTS.format(f"{QUEUE_RANK}, created_at, id", ""),
    "idx_service_requests_queue_type": ON_OPEN_REQUESTS.format(
        f"service_type, {QUEUE_RANK}, created_at, id", ""
    ),
    "idx_service_requests_queue_assignee": ON_OPEN_REQUESTS.format(
        f"assigned_to, {QUEUE_RANK}, created_at, id", "INCLUDE (status) "
    ),
    "idx_service_requests_open_created": ON_OPEN_REQUESTS.format("created_at, id", "INCLUDE (status) "),
    "idx_service_status_history_completed": (
        "ON service_status_history (created_at) WHERE new_status = 'completed'"
    ),
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def downgrade() -> None:
    op.execute("DROP INDEX {}".format(", ".join(reversed(INDEXES))))
