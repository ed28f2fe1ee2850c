"""Indexes for the staff queue, filters and keyset paging (issue 5).

Revision ID: gm05_triage_indexes
Revises: gm03_operator_sign_in
"""

from __future__ import annotations

revision = "gm05_triage_indexes"
down_revision = "gm03_operator_sign_in"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
