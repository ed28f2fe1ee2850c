"""The uploaded-files permissions (issue 13).

Revision ID: gm13_files_desk
Revises: gm12_payments_desk

- view_files: list and show uploads, verify, orphans, duplicates and type checks (read-only);
- manage_files: scan, quarantine, release and move stray files.
Staff get view; admin and super_admin get both.

Added with gmctl/db/permission_steps.py; the same rows are in gmctl/db/reference_data.py.
"""

from __future__ import annotations

from alembic import op

from gmctl.db.permission_steps import add_permissions, drop_permissions

revision = "gm13_files_desk"
down_revision = "gm12_payments_desk"
branch_labels = None
depends_on = None

PERMISSIONS = (
    ("view_files", "files", "view", "View uploaded files and their integrity"),
    ("manage_files", "files", "manage", "Scan, quarantine, release and move uploaded files"),
)

# role name -> the permissions it gets by default
GRANTS = {
    "staff": ("view_files",),
    "admin": ("view_files", "manage_files"),
    "super_admin": ("view_files", "manage_files"),
}


def upgrade() -> None:
    add_permissions(op, PERMISSIONS, GRANTS)


def downgrade() -> None:
    drop_permissions(op, PERMISSIONS)
