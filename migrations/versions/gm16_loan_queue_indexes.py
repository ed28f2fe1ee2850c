"""Indexes for the loan review queue, its filters and keyset paging (issue 11).

Revision ID: gm16_loan_queue_indexes
Revises: gm14_payment_refunds

`gmctl loans list` pages applications oldest first by keyset: `WHERE (created_at, id) > cursor
ORDER BY created_at, id LIMIT n`. The seed's indexes are on single columns (status, type, amount,
user, request), so every page sorted every matching row: on 1M applications (40k open;
bench/loans.py) the default queue took 80 ms, page 21 170 ms, `--status approved` 845 ms and
`--status all` 1.4 s of server time.

- idx_loan_applications_queue (created_at, id) WHERE submitted or under_review: the default queue
  and every filter on it (type, amount, reviewer, risk, since/before are filters on its order).
- idx_loan_applications_queue_amount (loan_amount) WHERE open: `--min-amount` / `--max-amount` when
  the range is narrow (a cheap range then a sort of a few hundred rows, where walking the queue
  index would filter thousands: 14-28 ms for `--max-amount 100,000` without it).
- idx_loan_applications_queue_customer (user_id, created_at, id) WHERE open: `--customer`, in order
  (the seed's user_id index reads every application the customer ever made: 6-17 ms).
- idx_loan_applications_created (created_at, id): closed statuses, one or several, and all: decided
  applications are most of the table, so walking this index and filtering finds a page at once
  (a (status, created_at, id) index was tried for one status: the planner never chose it).

The queue indexes are partial (open applications only, a few percent of the rows), so only open
applications' writes maintain it; the planner uses it because gmctl writes the status list as
constants (gmctl.loans.queue.status_condition). CREATE INDEX takes a SHARE lock while it builds
(about a second per index at 1M rows); on a busy database build them first with CREATE INDEX
CONCURRENTLY under the same names, and this migration finds them (IF NOT EXISTS).
"""

from __future__ import annotations

from alembic import op

revision = "gm16_loan_queue_indexes"
down_revision = "gm14_payment_refunds"
branch_labels = None
depends_on = None

OPEN = "application_status IN ('submitted', 'under_review')"
INDEXES = {
    "idx_loan_applications_queue": f"ON loan_applications (created_at, id) WHERE {OPEN}",
    "idx_loan_applications_queue_amount": f"ON loan_applications (loan_amount) WHERE {OPEN}",
    "idx_loan_applications_queue_customer": f"ON loan_applications (user_id, created_at, id) WHERE {OPEN}",
    "idx_loan_applications_created": "ON loan_applications (created_at, id)",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS {}".format(", ".join(reversed(INDEXES))))
