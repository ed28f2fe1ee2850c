"""Releasing a quarantined file has its own permission (issue 13).

Revision ID: gm17_release_files
Revises: gm16_loan_queue_indexes

- release_files: move a quarantined upload back into storage (`gmctl files release`).

Quarantine (manage_files) is the safe direction and admins have it; release puts a file that was
marked infected back where customers and staff can fetch it, so it is a permission of its own and
only super_admin holds it by default: grant it to the people who review quarantined files.

Added with gmctl/db/permission_steps.py; the same rows are in gmctl/db/reference_data.py.
"""

from __future__ import annotations

from alembic import op

from gmctl.db.permission_steps import add_permissions, drop_permissions

revision = "gm17_release_files"
down_revision = "gm16_loan_queue_indexes"
branch_labels = None
depends_on = None

PERMISSIONS = (
    ("release_files", "files", "release", "Release quarantined files back into storage"),
)

GRANTS = {"super_admin": ("release_files",)}


def upgrade() -> None:
    add_permissions(op, PERMISSIONS, GRANTS)


def downgrade() -> None:
    drop_permissions(op, PERMISSIONS)
