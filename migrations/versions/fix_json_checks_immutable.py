"""fix_json_checks_immutable: JSON shape checks that are stable and complete.

Seed-notes: the document's 'JSON Schema Validation' (listed under 'What it asks
for beyond tables'); related to point 10, since both are about CHECKs that must
hold when a dump is restored.

- validate_notification_preferences() is marked IMMUTABLE: a CHECK must give the
  same answer for the same row forever, and the function (plpgsql, inspecting
  only its argument) does; left VOLATILE it tells PostgreSQL the opposite.
- The document checks the shape of service_data and notification_preferences
  only. The other JSONB columns get the shape their defaults imply: arrays for
  messages.attachments and loan_applications.risk_factors /
  documents_submitted; objects for notifications.action_data,
  payments.gateway_response / metadata and service_status_history.metadata.
  NULL stays allowed, as in the document's checks. (system_logs.changes and
  service_requests_archive.archived_links got theirs when created.)

A live row of the wrong shape makes the upgrade stop with the constraint's
name; fix the row, not the check.
"""

from alembic import op

from gmctl.db import ddl

revision = "fix_json_checks_immutable"
down_revision = "fix15_user_erasure_marker"
branch_labels = None
depends_on = None

SHAPES = [
    ("messages", "chk_attachments_array", "attachments", "array"),
    ("loan_applications", "chk_risk_factors_array", "risk_factors", "array"),
    ("loan_applications", "chk_documents_submitted_array", "documents_submitted", "array"),
    ("notifications", "chk_action_data_object", "action_data", "object"),
    ("payments", "chk_gateway_response_object", "gateway_response", "object"),
    ("payments", "chk_metadata_object", "metadata", "object"),
    ("service_status_history", "chk_status_history_metadata_object", "metadata", "object"),
]


def upgrade() -> None:
    op.execute(ddl.NOTIFICATION_PREFERENCES_IMMUTABLE)
    for table, name, column, shape in SHAPES:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name}"
            f" CHECK ({column} IS NULL OR jsonb_typeof({column}) = '{shape}')"
        )


def downgrade() -> None:
    for table, name, _column, _shape in reversed(SHAPES):
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    op.execute(ddl.NOTIFICATION_PREFERENCES_VOLATILE)
