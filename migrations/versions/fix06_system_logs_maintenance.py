"""fix06: create system_logs; drop the broken perform_maintenance() (seed-notes 6).

perform_maintenance() can never succeed: REINDEX DATABASE and VACUUM refuse to
run inside a function, it names the database `gmservices` literally, and it
writes to system_logs, which the document never defines. No function can do
that work, so it is dropped rather than mended: maintenance belongs to gmctl,
which must send ANALYZE / VACUUM / REINDEX at top level with autocommit (its
pg_cron schedule was never created: no pg_cron).

system_logs is the table the function meant to write to, given the columns an
audit line of a staff action also needs: who (actor_id, SET NULL so the log
outlives the person), what (action, target_type, target_id) and the change
(changes, a JSON object).

Live databases (issue 14, part 4): the function is dropped IF it EXISTS (teams that never ran
'Maintenance Scripts' lack it); where pg_cron is installed and the document's schedule was made,
the job that calls perform_maintenance() in this database is unscheduled with it, or a warning
says to remove it by hand when this role may not.
"""

from alembic import op

from gmctl.db import ddl

revision = "fix06_system_logs_maintenance"
down_revision = "fix04_one_default_pay_method"
branch_labels = None
depends_on = None

SYSTEM_LOGS = """
CREATE TABLE system_logs (
    id BIGSERIAL PRIMARY KEY,
    level VARCHAR(10) NOT NULL DEFAULT 'INFO',
    message TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action VARCHAR(100),
    target_type VARCHAR(50),
    target_id VARCHAR(100),
    changes JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_system_logs_level CHECK (level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR')),
    CONSTRAINT chk_system_logs_changes_object CHECK (jsonb_typeof(changes) = 'object')
)
"""

# The document's `SELECT cron.schedule('maintenance', '0 2 * * 0', 'SELECT perform_maintenance();')`.
UNSCHEDULE_MAINTENANCE = """
DO $$
BEGIN
    IF to_regclass('cron.job') IS NOT NULL THEN
        BEGIN
            PERFORM cron.unschedule(jobid) FROM cron.job
             WHERE command ILIKE '%perform_maintenance()%' AND database = current_database();
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'a pg_cron job still calls perform_maintenance(), which is dropped'
                USING HINT = 'as its owner: SELECT cron.unschedule(jobid) FROM cron.job'
                             ' WHERE command ILIKE ''%perform_maintenance()%''';
        END;
    END IF;
END
$$
"""

UPGRADE = [
    UNSCHEDULE_MAINTENANCE,
    ddl.DROP_PERFORM_MAINTENANCE.replace("DROP FUNCTION ", "DROP FUNCTION IF EXISTS ", 1),
    SYSTEM_LOGS,
    "CREATE INDEX idx_system_logs_created_at ON system_logs(created_at)",
    "CREATE INDEX idx_system_logs_target ON system_logs(target_type, target_id)",
    "CREATE INDEX idx_system_logs_actor_id ON system_logs(actor_id)",
]

# The log is the only record of what staff did: refuse to throw it away.
REFUSE_IF_LOGGED = ddl.refuse_drop_while_rows("system_logs", "dump and empty it first")


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute(REFUSE_IF_LOGGED)
    op.execute("DROP TABLE system_logs")
    op.execute(ddl.SEED_PERFORM_MAINTENANCE)
