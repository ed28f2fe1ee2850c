"""fix08: drop the five enum types no column uses (seed-notes 8).

The document defines service_status, payment_status, user_status,
priority_level and service_type, but every table uses VARCHAR with a CHECK
list, and user_status matches no column at all. Two spellings of the same
vocabulary drift apart, so the CHECK lists (which the data is really checked
against, and which the models mirror) stay and the types go. DROP TYPE without
CASCADE: should anything on a live database have started to use one, the
upgrade stops instead of dropping that column's type. IF EXISTS (issue 14, part 4): a live database whose team never ran the
'Custom Types and Enums' block, or ran part of it, ends the same.
"""

from alembic import op

from gmctl.db import ddl

revision = "fix08_drop_unused_enums"
down_revision = "fix06_system_logs_maintenance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(ddl.DROP_SEED_ENUM_TYPES.replace("DROP TYPE ", "DROP TYPE IF EXISTS ", 1))


def downgrade() -> None:
    for statement in ddl.SEED_ENUM_TYPES:
        op.execute(statement)
