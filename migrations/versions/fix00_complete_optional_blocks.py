"""fix00: complete the document's optional blocks whose objects gmctl keeps (issue 14, part 4).

A live database built from the schema document rarely ran every block: teams skipped the
sections they did not need ('Indexes and Performance', 'Full-Text Search Indexes', 'JSON Schema
Validation', ...). `gmctl db adopt` stamps such a database at 20240101000005 like any other, so
this revision, first after it, makes what those blocks make and later revisions keep, each only
when it is missing, exactly as the document writes it:
- the indexes of 'Primary Indexes', 'Partial Indexes' and 'Composite Indexes', and the twice
  written idx_service_requests_active (IF NOT EXISTS);
- 'Full-Text Search Indexes': service_requests.search_vector, its GIN index, the function and the
  trigger that keep it; rows whose search_vector is NULL (written before the block ran, or all of
  them when it never ran) get it computed, with the trigger's own expression, so `requests search`
  finds them;
- 'JSON Schema Validation': validate_notification_preferences() and the two CHECKs (a live row of
  the wrong shape stops the upgrade; `gmctl db adopt` lists such rows before changing anything).

The blocks whose objects the later revisions drop (relationships and constraints, the enum
types, perform_maintenance, the LIKE-made archive) need nothing here: fix03, fix06, fix08 and
fix09 drop them only IF they EXIST. On a database built by the migrations every object already
exists and this revision changes nothing; databases that were already past it never run it
(alembic takes an inserted ancestor as applied). The downgrade leaves everything in place: what
it made belongs to 20240101000005, whose downgrade drops it.
"""

from alembic import op

from gmctl.db import ddl

revision = "fix00_complete_optional_blocks"
down_revision = "20240101000005"
branch_labels = None
depends_on = None

INDEXES = [
    # service_requests' own, repeated in Partial Indexes (seed-notes 2): a team that removed one
    # copy of the repeat may have removed both.
    (
        "idx_service_requests_active ON service_requests(status, created_at)"
        " WHERE status IN ('pending', 'confirmed', 'in_progress')"
    ),
    # Primary Indexes
    "idx_service_requests_user_status_created ON service_requests(user_id, status, created_at)",
    "idx_payments_user_status_created ON payments(user_id, status, created_at)",
    (
        "idx_notifications_user_unread_created ON notifications(user_id, is_read, created_at)"
        " WHERE is_read = FALSE"
    ),
    # Partial Indexes (idx_service_requests_active is the service_requests block's own)
    "idx_users_active_email ON users(email) WHERE is_active = TRUE",
    ("idx_notifications_unread_by_type ON notifications(user_id, type, created_at) WHERE is_read = FALSE"),
    # Composite Indexes
    "idx_service_requests_type_status_date ON service_requests(service_type, status, created_at)",
    "idx_payments_gateway_status_date ON payments(gateway, status, created_at)",
    "idx_messages_recipient_thread_date ON messages(recipient_id, thread_id, created_at)",
]

SEARCH_VECTOR = (
    "setweight(to_tsvector('english', COALESCE(title, '')), 'A') ||"
    " setweight(to_tsvector('english', COALESCE(description, '')), 'B') ||"
    " setweight(to_tsvector('english', COALESCE(service_type, '')), 'C')"
)


def unless(exists: str, statement: str) -> str:
    """A DO block that runs `statement` only when the query `exists` finds nothing."""
    return (
        f"DO $gmctl$ BEGIN IF NOT EXISTS ({exists}) THEN EXECUTE $ddl${statement}$ddl$; END IF; END $gmctl$"
    )


def constraint_named(table: str, name: str) -> str:
    return f"SELECT 1 FROM pg_constraint WHERE conrelid = '{table}'::regclass AND conname = '{name}'"


def function_named(signature: str) -> str:
    return f"SELECT 1 WHERE to_regprocedure('{signature}') IS NOT NULL"


UPGRADE = [
    *(f"CREATE INDEX IF NOT EXISTS {index}" for index in INDEXES),
    # Full-Text Search Indexes
    "ALTER TABLE service_requests ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE INDEX IF NOT EXISTS idx_service_requests_search ON service_requests USING gin(search_vector)",
    unless(function_named("update_service_request_search_vector()"), ddl.SEED_SEARCH_VECTOR_FUNCTION),
    unless(
        "SELECT 1 FROM pg_trigger WHERE tgrelid = 'service_requests'::regclass"
        " AND tgname = 'trigger_update_service_request_search_vector'",
        ddl.SEED_SEARCH_VECTOR_TRIGGER,
    ),
    f"UPDATE service_requests SET search_vector = {SEARCH_VECTOR} WHERE search_vector IS NULL",
    # JSON Schema Validation
    unless(
        constraint_named("service_requests", "chk_service_data_schema"),
        "ALTER TABLE service_requests ADD CONSTRAINT chk_service_data_schema"
        " CHECK (service_data IS NULL OR jsonb_typeof(service_data) = 'object')",
    ),
    unless(
        function_named("validate_notification_preferences(jsonb)"), ddl.SEED_VALIDATE_NOTIFICATION_PREFERENCES
    ),
    unless(
        constraint_named("user_profiles", "chk_notification_preferences_schema"),
        "ALTER TABLE user_profiles ADD CONSTRAINT chk_notification_preferences_schema"
        " CHECK (validate_notification_preferences(notification_preferences))",
    ),
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    pass
