"""The loan desk's permissions (issue 11).

Revision ID: gm11_loan_desk
Revises: gm05_triage_indexes

- view_loans: read the loan queue, applications, schedules and key facts;
- review_loans: take an application into review (submitted -> under_review);
- decide_loans: approve, reject, withdraw and expire applications.
Staff get view and review; admin and super_admin get all three.

Added with gmctl/db/permission_steps.py; the same rows are in gmctl/db/reference_data.py.
"""

from __future__ import annotations

from alembic import op

from gmctl.db.permission_steps import add_permissions, drop_permissions

revision = "gm11_loan_desk"
down_revision = "gm05_triage_indexes"
branch_labels = None
depends_on = None

PERMISSIONS = (
    ("view_loans", "loans", "view", "View loan applications, schedules and key facts"),
    ("review_loans", "loans", "review", "Take loan applications into review"),
    ("decide_loans", "loans", "decide", "Approve, reject, withdraw and expire loan applications"),
)

# role name -> the permissions it gets by default
GRANTS = {
    "staff": ("view_loans", "review_loans"),
    "admin": ("view_loans", "review_loans", "decide_loans"),
    "super_admin": ("view_loans", "review_loans", "decide_loans"),
}


def upgrade() -> None:
    add_permissions(op, PERMISSIONS, GRANTS)


def downgrade() -> None:
    drop_permissions(op, PERMISSIONS)
