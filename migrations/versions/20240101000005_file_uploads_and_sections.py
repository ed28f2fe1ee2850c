"""Seed version 20240101000005: messages, notifications, file_uploads, and the rest.

Seed-notes: none resolved here (replay of the schema document, see
20240101000001). Besides the three tables, this replays every later section of
the document whose SQL succeeded, in the document's order (the order matters:
`service_requests_archive` is made with LIKE ... INCLUDING ALL, so it copies the
search_vector column and the JSON check added before it):
- 'Relationships and Constraints': duplicate FKs, CHECKs and UNIQUEs (point 3),
  uq_payment_methods_default (point 4);
- 'Indexes and Performance': extra indexes, the search_vector column, its GIN
  index and trigger (the second idx_service_requests_active failed: point 2);
- 'Data Types': the five unused enum types (point 8), the JSON checks;
- 'Migration History': schema_migrations and its five rows;
- 'Data Retention': only `CREATE TABLE service_requests_archive` (point 9);
  the DELETE/INSERT statements are data operations, not schema;
- 'Maintenance': CREATE FUNCTION perform_maintenance() succeeds (it only fails
  when run, point 6); `cron.schedule` is skipped (no pg_cron).
Not replayed: the backup section's `CREATE USER backup_user` with a literal
password and its GRANTs (point 13): a cluster role is not part of a database's
schema, and a password must never come from a migration.
"""

from alembic import op

from gmctl.db import ddl

revision = "20240101000005"
down_revision = "20240101000004"
branch_labels = None
depends_on = None

MESSAGES = r"""
CREATE TABLE messages (
    id SERIAL PRIMARY KEY,
    sender_id INTEGER REFERENCES users(id),
    recipient_id INTEGER REFERENCES users(id),
    service_request_id INTEGER REFERENCES service_requests(id),

    -- Message content
    subject VARCHAR(255),
    content TEXT NOT NULL,
    message_type VARCHAR(20) DEFAULT 'user',

    -- Status
    is_read BOOLEAN DEFAULT FALSE,
    read_at TIMESTAMP WITH TIME ZONE,

    -- Attachments
    attachments JSONB DEFAULT '[]',

    -- Threading
    thread_id INTEGER REFERENCES messages(id),

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_message_type CHECK (message_type IN (
        'user', 'system', 'notification', 'alert'
    )),
    CONSTRAINT chk_sender_recipient CHECK (
        sender_id IS NOT NULL OR message_type = 'system'
    )
)
"""

NOTIFICATIONS = r"""
CREATE TABLE notifications (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,

    -- Notification content
    type VARCHAR(50) NOT NULL,
    title VARCHAR(255) NOT NULL,
    message TEXT,

    -- Action data
    action_url VARCHAR(500),
    action_data JSONB DEFAULT '{}',

    -- Status
    is_read BOOLEAN DEFAULT FALSE,
    read_at TIMESTAMP WITH TIME ZONE,

    -- Delivery
    delivery_methods VARCHAR(100)[], -- ['email', 'sms', 'push', 'in_app']
    delivered_at TIMESTAMP WITH TIME ZONE,

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE,

    CONSTRAINT chk_notification_type CHECK (type IN (
        'service_update', 'payment_confirmation', 'system_alert',
        'promotional', 'reminder', 'welcome', 'security'
    ))
)
"""

FILE_UPLOADS = r"""
CREATE TABLE file_uploads (
    id SERIAL PRIMARY KEY,
    user_id INTEGER REFERENCES users(id),
    service_request_id INTEGER REFERENCES service_requests(id),

    -- File information
    original_filename VARCHAR(255) NOT NULL,
    stored_filename VARCHAR(255) NOT NULL,
    file_path VARCHAR(500) NOT NULL,
    file_size BIGINT NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    file_hash VARCHAR(64), -- SHA-256 hash for deduplication

    -- File metadata
    description TEXT,
    file_category VARCHAR(50),
    is_public BOOLEAN DEFAULT FALSE,
    is_temporary BOOLEAN DEFAULT FALSE,

    -- Security
    virus_scan_status VARCHAR(20) DEFAULT 'pending',
    virus_scan_result TEXT,

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE,

    CONSTRAINT chk_file_size CHECK (file_size > 0),
    CONSTRAINT chk_virus_scan_status CHECK (virus_scan_status IN (
        'pending', 'clean', 'infected', 'failed'
    ))
)
"""

RELATIONSHIPS = [
    # Foreign Key Relationships
    (
        "ALTER TABLE user_profiles ADD CONSTRAINT fk_user_profiles_user"
        " FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"
    ),
    (
        "ALTER TABLE user_roles ADD CONSTRAINT fk_user_roles_user"
        " FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"
    ),
    (
        "ALTER TABLE service_requests ADD CONSTRAINT fk_service_requests_user"
        " FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"
    ),
    (
        "ALTER TABLE service_status_history ADD CONSTRAINT fk_status_history_service"
        " FOREIGN KEY (service_request_id) REFERENCES service_requests(id) ON DELETE CASCADE"
    ),
    (
        "ALTER TABLE payments ADD CONSTRAINT fk_payments_service"
        " FOREIGN KEY (service_request_id) REFERENCES service_requests(id) ON DELETE SET NULL"
    ),
    (
        "ALTER TABLE file_uploads ADD CONSTRAINT fk_file_uploads_service"
        " FOREIGN KEY (service_request_id) REFERENCES service_requests(id) ON DELETE SET NULL"
    ),
    # Check Constraints
    (
        r"ALTER TABLE users ADD CONSTRAINT chk_users_email_format"
        r" CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$')"
    ),
    (
        r"ALTER TABLE users ADD CONSTRAINT chk_users_phone_format"
        r" CHECK (phone IS NULL OR phone ~ '^\+?[1-9]\d{1,14}$')"
    ),
    "ALTER TABLE hotel_bookings ADD CONSTRAINT chk_hotel_dates CHECK (check_out_date > check_in_date)",
    "ALTER TABLE payments ADD CONSTRAINT chk_payments_amount_positive CHECK (amount > 0)",
    (
        "ALTER TABLE loan_applications ADD CONSTRAINT chk_loan_amounts"
        " CHECK (loan_amount > 0 AND monthly_income >= 0)"
    ),
    # Unique Constraints
    "ALTER TABLE users ADD CONSTRAINT uq_users_username UNIQUE (username)",
    "ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE (email)",
    "ALTER TABLE role_permissions ADD CONSTRAINT uq_role_permissions UNIQUE (role_id, permission_id)",
    "ALTER TABLE user_roles ADD CONSTRAINT uq_user_roles UNIQUE (user_id, role_id)",
    "CREATE UNIQUE INDEX uq_payment_methods_default ON payment_methods(user_id) WHERE is_default = TRUE",
]

INDEXES = [
    # Primary Indexes
    (
        "CREATE INDEX idx_service_requests_user_status_created"
        " ON service_requests(user_id, status, created_at)"
    ),
    "CREATE INDEX idx_payments_user_status_created ON payments(user_id, status, created_at)",
    (
        "CREATE INDEX idx_notifications_user_unread_created"
        " ON notifications(user_id, is_read, created_at) WHERE is_read = FALSE"
    ),
    # Partial Indexes (idx_service_requests_active already exists: its repeat failed)
    "CREATE INDEX idx_users_active_email ON users(email) WHERE is_active = TRUE",
    (
        "CREATE INDEX idx_notifications_unread_by_type"
        " ON notifications(user_id, type, created_at) WHERE is_read = FALSE"
    ),
    # Composite Indexes
    (
        "CREATE INDEX idx_service_requests_type_status_date"
        " ON service_requests(service_type, status, created_at)"
    ),
    "CREATE INDEX idx_payments_gateway_status_date ON payments(gateway, status, created_at)",
    "CREATE INDEX idx_messages_recipient_thread_date ON messages(recipient_id, thread_id, created_at)",
    # Full-Text Search Indexes
    "ALTER TABLE service_requests ADD COLUMN search_vector tsvector",
    "CREATE INDEX idx_service_requests_search ON service_requests USING gin(search_vector)",
    ddl.SEED_SEARCH_VECTOR_FUNCTION,
    ddl.SEED_SEARCH_VECTOR_TRIGGER,
]

JSON_CHECKS = [
    (
        "ALTER TABLE service_requests ADD CONSTRAINT chk_service_data_schema"
        " CHECK (service_data IS NULL OR jsonb_typeof(service_data) = 'object')"
    ),
    ddl.SEED_VALIDATE_NOTIFICATION_PREFERENCES,
    (
        "ALTER TABLE user_profiles ADD CONSTRAINT chk_notification_preferences_schema"
        " CHECK (validate_notification_preferences(notification_preferences))"
    ),
]

SCHEMA_MIGRATIONS = [
    """
CREATE TABLE schema_migrations (
    version VARCHAR(14) PRIMARY KEY,
    dirty BOOLEAN NOT NULL DEFAULT FALSE,
    applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
)
""",
    (
        "INSERT INTO schema_migrations (version, dirty) VALUES"
        " ('20240101000001', FALSE), ('20240101000002', FALSE),"
        " ('20240101000003', FALSE), ('20240101000004', FALSE),"
        " ('20240101000005', FALSE)"
    ),
]

UPGRADE = [
    MESSAGES,
    "CREATE INDEX idx_messages_recipient ON messages(recipient_id, created_at)",
    "CREATE INDEX idx_messages_sender ON messages(sender_id, created_at)",
    "CREATE INDEX idx_messages_service_request ON messages(service_request_id)",
    "CREATE INDEX idx_messages_unread ON messages(recipient_id, is_read) WHERE is_read = FALSE",
    "CREATE INDEX idx_messages_thread ON messages(thread_id) WHERE thread_id IS NOT NULL",
    NOTIFICATIONS,
    "CREATE INDEX idx_notifications_user_id ON notifications(user_id, created_at)",
    "CREATE INDEX idx_notifications_unread ON notifications(user_id, is_read) WHERE is_read = FALSE",
    "CREATE INDEX idx_notifications_type ON notifications(type)",
    "CREATE INDEX idx_notifications_expires ON notifications(expires_at) WHERE expires_at IS NOT NULL",
    FILE_UPLOADS,
    "CREATE INDEX idx_file_uploads_user_id ON file_uploads(user_id)",
    "CREATE INDEX idx_file_uploads_service_request ON file_uploads(service_request_id)",
    "CREATE INDEX idx_file_uploads_hash ON file_uploads(file_hash)",
    "CREATE INDEX idx_file_uploads_category ON file_uploads(file_category)",
    (
        "CREATE INDEX idx_file_uploads_temporary ON file_uploads(is_temporary, created_at)"
        " WHERE is_temporary = TRUE"
    ),
    *RELATIONSHIPS,
    *INDEXES,
    *ddl.SEED_ENUM_TYPES,
    *JSON_CHECKS,
    *SCHEMA_MIGRATIONS,
    "CREATE TABLE service_requests_archive (LIKE service_requests INCLUDING ALL)",
    ddl.SEED_PERFORM_MAINTENANCE,
]

# Everything above that is not dropped with the three tables, newest first.
DOWNGRADE = [
    ddl.DROP_PERFORM_MAINTENANCE,
    "DROP TABLE service_requests_archive",
    "DROP TABLE schema_migrations",
    "ALTER TABLE user_profiles DROP CONSTRAINT chk_notification_preferences_schema",
    ddl.DROP_VALIDATE_NOTIFICATION_PREFERENCES,
    "ALTER TABLE service_requests DROP CONSTRAINT chk_service_data_schema",
    ddl.DROP_SEED_ENUM_TYPES,
    ddl.DROP_SEARCH_VECTOR_TRIGGER,
    ddl.DROP_SEARCH_VECTOR_FUNCTION,
    # Drops idx_service_requests_search with it.
    "ALTER TABLE service_requests DROP COLUMN search_vector",
    (
        "DROP INDEX idx_service_requests_type_status_date, idx_users_active_email,"
        " idx_service_requests_user_status_created, idx_payments_user_status_created,"
        " idx_payments_gateway_status_date, uq_payment_methods_default"
    ),
    "ALTER TABLE user_roles DROP CONSTRAINT uq_user_roles",
    "ALTER TABLE role_permissions DROP CONSTRAINT uq_role_permissions",
    (
        "ALTER TABLE users DROP CONSTRAINT uq_users_email, DROP CONSTRAINT uq_users_username,"
        " DROP CONSTRAINT chk_users_phone_format, DROP CONSTRAINT chk_users_email_format"
    ),
    "ALTER TABLE loan_applications DROP CONSTRAINT chk_loan_amounts",
    (
        "ALTER TABLE payments DROP CONSTRAINT chk_payments_amount_positive,"
        " DROP CONSTRAINT fk_payments_service"
    ),
    "ALTER TABLE hotel_bookings DROP CONSTRAINT chk_hotel_dates",
    "ALTER TABLE service_status_history DROP CONSTRAINT fk_status_history_service",
    "ALTER TABLE service_requests DROP CONSTRAINT fk_service_requests_user",
    "ALTER TABLE user_roles DROP CONSTRAINT fk_user_roles_user",
    "ALTER TABLE user_profiles DROP CONSTRAINT fk_user_profiles_user",
    # The remaining indexes and FKs of this revision go with their tables.
    "DROP TABLE file_uploads, notifications, messages",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
