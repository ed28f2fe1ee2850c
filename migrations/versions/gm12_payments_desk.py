"""The payments desk's permission (issue 12).

Revision ID: gm12_payments_desk
Revises: gm11_loan_desk

- view_payments: read the ledger, summaries, refunds and stored methods (masked).
The seed's manage_payments governs refunds, reconcile --apply and expiry. Staff, admin and
super_admin get view (admin and super_admin already have manage_payments).

Added with gmctl/db/permission_steps.py; the same rows are in gmctl/db/reference_data.py.
"""

from __future__ import annotations

from alembic import op

from gmctl.db.permission_steps import add_permissions, drop_permissions

revision = "gm12_payments_desk"
down_revision = "gm11_loan_desk"
branch_labels = None
depends_on = None

PERMISSIONS = (
    ("view_payments", "payments", "view", "View payments, refunds and stored payment methods"),
)

# role name -> the permissions it gets by default
GRANTS = {
    "staff": ("view_payments",),
    "admin": ("view_payments",),
    "super_admin": ("view_payments",),
}


def upgrade() -> None:
    add_permissions(op, PERMISSIONS, GRANTS)


def downgrade() -> None:
    drop_permissions(op, PERMISSIONS)
