"""fix04: one default payment method per user, by uq_payment_methods_default only (seed-notes 4).

The rule exists only in the 'Relationships and Constraints' section. Applied to
the empty scratch database it succeeded, so 20240101000005 creates it and a
database built by these migrations already has it. Decision: keep it as the
single place the rule lives, and:
- make sure it exists: on a production database where that CREATE UNIQUE INDEX
  failed because some user already had two defaults, IF NOT EXISTS creates it
  now, or the upgrade stops with PostgreSQL's duplicate-key error naming the
  user_id, to be settled by hand (unset is_default on all but one) and re-run;
- drop idx_payment_methods_default (user_id, is_default) WHERE is_default: the
  unique index has the same predicate and serves the same lookups.
The downgrade restores idx_payment_methods_default and leaves the unique index,
which belongs to 20240101000005. The unique index is also the one object of the 'Unique
Constraints' block that head keeps: a database that skipped the block gets it here.
"""

from alembic import op

revision = "fix04_one_default_pay_method"
down_revision = "fix03_collapse_duplicates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_payment_methods_default"
        " ON payment_methods(user_id) WHERE is_default = TRUE"
    )
    op.execute("DROP INDEX IF EXISTS idx_payment_methods_default")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX idx_payment_methods_default ON payment_methods(user_id, is_default)"
        " WHERE is_default = TRUE"
    )
