"""Indexes for the staff queue, filters and keyset paging (issue 5).

Revision ID: gm05_triage_indexes
Revises: gm03_operator_sign_in

`gmctl requests list` orders the open queue by priority, then urgency, then age, and pages by
keyset. The seed's indexes cannot serve that order: priority is text ('urgent' must sort before
'high'), urgency runs the other way, and the open queue includes on_hold, which the seed's partial
idx_service_requests_active leaves out. Without these, every page of the queue sorts every open
request (about 900k of the 5M in the benchmark: ~400 ms), and a filter on a closed status sorts
millions.

The queue key is one integer, the expression QUEUE_RANK below (priority base 0/10/20/30 minus
urgency), followed by created_at and id; all ascending, so a page is `WHERE (rank, created_at, id)
> cursor ORDER BY rank, created_at, id LIMIT n`: one range scan of one index however deep the page.
The expression must stay byte-identical to gmctl.requests.columns.QUEUE_RANK_SQL.

- idx_service_requests_queue (rank, created_at, id) WHERE open: the default queue, and the
  filters that keep the queue order: priority (a rank range), urgency >= N, unassigned, one open
  status, created since/before.
- idx_service_requests_queue_assignee (assigned_to, rank, created_at, id) WHERE open:
  `--assigned-to USER|me|none` (a staff member with 200k closed requests still reads only their
  open ones), the open workload per staff member in `requests stats` and in the assign picker.
- idx_service_requests_queue_type (service_type, rank, created_at, id) WHERE open: `--type`, the
  filter each service desk uses all day; a rare type would otherwise walk most of the queue.
- idx_service_requests_open_created (created_at, id) WHERE open: `--sort newest|oldest` on the
  open queue, the age buckets and SLA breaches of `requests stats`.
- idx_service_requests_status_created (status, created_at, id): a closed status (completed,
  cancelled, failed: most of the table), listed newest first, as `list --status completed` does.

Partial indexes hold only open requests (about a fifth of the table), so they stay small and cheap
to keep up; the planner uses them because the queries spell the status list as constants.
Search (GIN on search_vector), show (primary keys and the *_service_request indexes) and the
customer filter (idx_service_requests_user_status_created) were already served by the seed's and
fix migrations' indexes.

CREATE INDEX here takes a SHARE lock for the build (seconds per index at 5M rows); on a busy
production database build them beforehand with CREATE INDEX CONCURRENTLY under the same names, and
this migration will find them (IF NOT EXISTS).
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

INDEXES = {
    "idx_service_requests_queue": f"({QUEUE_RANK}, created_at, id) WHERE {OPEN}",
    "idx_service_requests_queue_assignee": f"(assigned_to, {QUEUE_RANK}, created_at, id) WHERE {OPEN}",
    "idx_service_requests_queue_type": f"(service_type, {QUEUE_RANK}, created_at, id) WHERE {OPEN}",
    "idx_service_requests_open_created": f"(created_at, id) WHERE {OPEN}",
    "idx_service_requests_status_created": "(status, created_at, id)",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON service_requests {definition}")


def downgrade() -> None:
    op.execute("DROP INDEX {}".format(", ".join(reversed(INDEXES))))
