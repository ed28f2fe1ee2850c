"""fix10: date-dependent rules move from CHECKs to triggers (seed-notes 10).

`payment_methods.chk_card_exp` and `vehicles.chk_year` compare with
CURRENT_DATE. PostgreSQL re-checks CHECKs when a dump is restored, so the day a
stored card expires, the backup of payment_methods stops restoring.

Resolution: each CHECK keeps its static part under its own name
(chk_card_exp: card_exp_month BETWEEN 1 AND 12 for cards; chk_year:
year >= 1900), and the part that depends on today becomes a BEFORE INSERT OR
UPDATE trigger that looks only at rows whose dated columns are being written
(see gmctl.db.ddl). Triggers are restored after the data and never re-run on
old rows, so a card that has since expired no longer blocks a restore, nor an
unrelated edit of its row (is_default, nickname...). "Not expired" is now by
month (a card is good to the end of its expiry month), where the CHECK only
compared years; "today" is taken in Africa/Lagos.

The downgrade restores the two CHECKs as they were; like them, it fails while
an expired card is stored.
"""

from alembic import op

from gmctl.db import ddl

revision = "fix10_date_rules_as_triggers"
down_revision = "fix09_archive_tables"
branch_labels = None
depends_on = None

UPGRADE = [
    (
        "ALTER TABLE payment_methods DROP CONSTRAINT chk_card_exp,"
        " ADD CONSTRAINT chk_card_exp CHECK ((type != 'card') OR (card_exp_month BETWEEN 1 AND 12))"
    ),
    "ALTER TABLE vehicles DROP CONSTRAINT chk_year, ADD CONSTRAINT chk_year CHECK (year >= 1900)",
    ddl.CARD_NOT_EXPIRED_FUNCTION,
    ddl.CARD_NOT_EXPIRED_TRIGGER,
    ddl.VEHICLE_YEAR_NOT_FUTURE_FUNCTION,
    ddl.VEHICLE_YEAR_NOT_FUTURE_TRIGGER,
]

DOWNGRADE = [
    ddl.DROP_VEHICLE_YEAR_NOT_FUTURE_TRIGGER,
    ddl.DROP_VEHICLE_YEAR_NOT_FUTURE_FUNCTION,
    ddl.DROP_CARD_NOT_EXPIRED_TRIGGER,
    ddl.DROP_CARD_NOT_EXPIRED_FUNCTION,
    (
        "ALTER TABLE vehicles DROP CONSTRAINT chk_year, ADD CONSTRAINT chk_year"
        " CHECK (year BETWEEN 1900 AND EXTRACT(YEAR FROM CURRENT_DATE) + 1)"
    ),
    (
        "ALTER TABLE payment_methods DROP CONSTRAINT chk_card_exp, ADD CONSTRAINT chk_card_exp CHECK ("
        " (type != 'card') OR"
        " (card_exp_month BETWEEN 1 AND 12 AND card_exp_year >= EXTRACT(YEAR FROM CURRENT_DATE)))"
    ),
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
