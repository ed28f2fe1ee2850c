"""fix15: users.erased_at, so a person can be erased without DELETE (seed-notes 15).

Deleting a user cascades to their service requests and, from there, the
requests' history, yet is blocked by their payments, messages, bookings and
loans: erasure by DELETE either destroys business records or fails. Instead,
gmctl pseudonymises the row (names, email, phone and secrets overwritten) and
sets erased_at; the id stays, so payments and bookings keep their owner.
NULL means not erased.
"""

from alembic import op

revision = "fix15_user_erasure_marker"
down_revision = "fix14_widen_mfa_secret"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN erased_at TIMESTAMP WITH TIME ZONE")
    op.execute(
        "COMMENT ON COLUMN users.erased_at IS"
        " 'Set when the person''s data was erased: the row stays, pseudonymised'"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN erased_at")
