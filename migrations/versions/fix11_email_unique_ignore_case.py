"""fix11: email addresses are unique whatever their case (seed-notes 11).

UNIQUE(email) is case-sensitive, so alice@example.com and ALICE@example.com
became two users. A unique index on lower(email) replaces users_email_key
(its twin uq_users_email went in fix03). The address keeps the case the person
typed; look users up by lower(email) = lower(:given), which this index serves.

If production already holds addresses differing only in case, the upgrade stops
and lists them: which account survives is a decision for a person (merge or
rename one), not for a migration. The index is made IF NOT EXISTS: a team may have built it
ahead (CREATE UNIQUE INDEX CONCURRENTLY, under this name) on a busy live database.
"""

from alembic import op

revision = "fix11_email_unique_ignore_case"
down_revision = "fix10_date_rules_as_triggers"
branch_labels = None
depends_on = None

REFUSE_CASE_DUPLICATES = """
DO $$
DECLARE
    clashes text;
BEGIN
    SELECT string_agg(address, ', ' ORDER BY address) INTO clashes
    FROM (SELECT lower(email) AS address FROM users GROUP BY 1 HAVING count(*) > 1) AS d;
    IF clashes IS NOT NULL THEN
        RAISE EXCEPTION 'users share an email address up to case: %', clashes
            USING HINT = 'merge or rename those accounts, then upgrade again';
    END IF;
END
$$
"""


def upgrade() -> None:
    op.execute(REFUSE_CASE_DUPLICATES)
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_users_email_lower ON users (lower(email))")
    op.execute("ALTER TABLE users DROP CONSTRAINT users_email_key")


def downgrade() -> None:
    op.execute("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)")
    op.execute("DROP INDEX uq_users_email_lower")
