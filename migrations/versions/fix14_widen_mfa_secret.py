"""fix14: room for an encrypted TOTP secret; backup codes are hashes (seed-notes 14).

The document promises encrypted sensitive data, yet `mfa_secret VARCHAR(32)`
only fits a TOTP secret in clear. gmctl stores a Fernet token of the secret
(140 characters for a 32-character secret), so the column widens to
VARCHAR(255). `backup_codes TEXT[]` is said to be encrypted: one-time codes
only ever need checking, so they are stored as hashes, which needs no schema
change. Both rules are written on the columns as comments, where the next
person reading the table will see them.

Existing values are kept as they are; any clear-text secret on a live database
is for gmctl to re-encrypt, not for DDL. The downgrade narrows the column back
and fails, rather than truncate, while a longer value is stored.
"""

from alembic import op

revision = "fix14_widen_mfa_secret"
down_revision = "fix12_drop_repeated_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ALTER COLUMN mfa_secret TYPE VARCHAR(255)")
    op.execute(
        "COMMENT ON COLUMN users.mfa_secret IS 'Fernet token of the TOTP secret, never the secret in clear'"
    )
    op.execute(
        "COMMENT ON COLUMN users.backup_codes IS"
        " 'Hashes of the unused one-time backup codes, never the codes'"
    )


def downgrade() -> None:
    op.execute("COMMENT ON COLUMN users.backup_codes IS NULL")
    op.execute("COMMENT ON COLUMN users.mfa_secret IS NULL")
    op.execute("ALTER TABLE users ALTER COLUMN mfa_secret TYPE VARCHAR(32)")
