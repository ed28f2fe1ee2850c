"""fix09: archive tables, so retention keeps what it removes (seed-notes 9).

The document's retention copied old completed requests to a LIKE-made
service_requests_archive and then deleted them: the DELETE failed as soon as a
request had a booking, loan, vehicle service or message, and where it did not
fail, ON DELETE CASCADE threw the request's status history away.

Resolution: one archive table per table that hangs off a request, with the live
table's columns and types (no serial default, foreign key, CHECK, generated
expression or trigger, so archived rows stay valid whatever happens to the
users and requests they mention), `id` as primary key, `archived_at`, and an
index on service_request_id. Retention moves a request together with its
history, messages, bookings, loans and vehicle services, in one transaction.
Payments and file uploads stay live (financial records; their FK is ON DELETE
SET NULL since fix03): `service_requests_archive.archived_links` records the
ids detached that way. A later change to one of these live tables must change
its archive in the same revision (gmctl.db.models.archive builds the archive
models from the live ones, so the drift check insists).

The seed's service_requests_archive is replaced. Rows it holds whose request
is still live are left out: the document's DELETE failed for them, so they are
stale copies of live rows, not archived ones. The others move over.

Also indexes service_request_id of hotel_bookings, loan_applications and
vehicle_services: deleting an archived request makes PostgreSQL look for rows
still pointing at it, a full scan of each of those tables per request without.

A live database that never ran the document's retention block has no archive to replace,
and one made before the search column has fewer columns: both are carried over as they are
(issue 14, part 4).

The downgrade moves service_requests_archive rows back into a LIKE-made table,
and refuses to run while another archive table holds rows or an archived
request has detached links: those exist nowhere else.
"""

from alembic import op

revision = "fix09_archive_tables"
down_revision = "fix08_drop_unused_enums"
branch_labels = None
depends_on = None

REQUEST_COLUMNS = (
    "id, user_id, service_type, title, description, status, priority, urgency_level,"
    " estimated_cost, final_cost, currency, assigned_to, assigned_at, preferred_date,"
    " preferred_time, scheduled_date, completed_at, location_type, location_address,"
    " location_coordinates, service_data, internal_notes, customer_notes, created_at,"
    " updated_at, search_vector"
)

SERVICE_REQUESTS_ARCHIVE = """
CREATE TABLE service_requests_archive (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    service_type VARCHAR(50) NOT NULL,
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    status VARCHAR(20) NOT NULL,
    priority VARCHAR(10) NOT NULL,
    urgency_level INTEGER,
    estimated_cost DECIMAL(12,2),
    final_cost DECIMAL(12,2),
    currency VARCHAR(3),
    assigned_to INTEGER,
    assigned_at TIMESTAMP WITH TIME ZONE,
    preferred_date DATE,
    preferred_time TIME,
    scheduled_date TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE,
    location_type VARCHAR(20),
    location_address TEXT,
    location_coordinates POINT,
    service_data JSONB,
    internal_notes TEXT,
    customer_notes TEXT,
    created_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE,
    search_vector TSVECTOR,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    archived_links JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT chk_archived_links_object CHECK (jsonb_typeof(archived_links) = 'object')
)
"""

SERVICE_STATUS_HISTORY_ARCHIVE = """
CREATE TABLE service_status_history_archive (
    id INTEGER PRIMARY KEY,
    service_request_id INTEGER NOT NULL,
    previous_status VARCHAR(20),
    new_status VARCHAR(20) NOT NULL,
    changed_by INTEGER,
    reason TEXT,
    metadata JSONB,
    created_at TIMESTAMP WITH TIME ZONE,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""

MESSAGES_ARCHIVE = """
CREATE TABLE messages_archive (
    id INTEGER PRIMARY KEY,
    sender_id INTEGER,
    recipient_id INTEGER,
    service_request_id INTEGER,
    subject VARCHAR(255),
    content TEXT NOT NULL,
    message_type VARCHAR(20),
    is_read BOOLEAN,
    read_at TIMESTAMP WITH TIME ZONE,
    attachments JSONB,
    thread_id INTEGER,
    created_at TIMESTAMP WITH TIME ZONE,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""

HOTEL_BOOKINGS_ARCHIVE = """
CREATE TABLE hotel_bookings_archive (
    id INTEGER PRIMARY KEY,
    service_request_id INTEGER,
    user_id INTEGER NOT NULL,
    property_name VARCHAR(255),
    property_type VARCHAR(50),
    room_type VARCHAR(100),
    check_in_date DATE NOT NULL,
    check_out_date DATE NOT NULL,
    number_of_nights INTEGER,
    number_of_adults INTEGER,
    number_of_children INTEGER,
    room_rate DECIMAL(10,2),
    total_amount DECIMAL(10,2),
    currency VARCHAR(3),
    special_requests TEXT,
    dietary_requirements TEXT,
    accessibility_needs TEXT,
    booking_status VARCHAR(20),
    confirmation_number VARCHAR(50),
    property_address TEXT,
    city VARCHAR(100),
    state VARCHAR(100),
    country VARCHAR(100),
    created_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""

LOAN_APPLICATIONS_ARCHIVE = """
CREATE TABLE loan_applications_archive (
    id INTEGER PRIMARY KEY,
    service_request_id INTEGER,
    user_id INTEGER NOT NULL,
    loan_type VARCHAR(50) NOT NULL,
    loan_amount DECIMAL(12,2) NOT NULL,
    currency VARCHAR(3),
    loan_purpose TEXT,
    requested_term_months INTEGER,
    employment_status VARCHAR(50),
    monthly_income DECIMAL(10,2),
    existing_debts DECIMAL(10,2),
    credit_score INTEGER,
    application_status VARCHAR(20),
    approved_amount DECIMAL(12,2),
    approved_rate DECIMAL(5,4),
    approved_term_months INTEGER,
    decision_date DATE,
    decision_reason TEXT,
    reviewed_by INTEGER,
    risk_score INTEGER,
    risk_factors JSONB,
    documents_submitted JSONB,
    documents_verified BOOLEAN,
    created_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""

VEHICLE_SERVICES_ARCHIVE = """
CREATE TABLE vehicle_services_archive (
    id INTEGER PRIMARY KEY,
    vehicle_id INTEGER NOT NULL,
    service_request_id INTEGER,
    service_type VARCHAR(50) NOT NULL,
    description TEXT,
    cost DECIMAL(10,2),
    mileage_at_service INTEGER,
    service_date DATE NOT NULL,
    next_service_due DATE,
    next_service_mileage INTEGER,
    provider_name VARCHAR(100),
    provider_contact VARCHAR(20),
    parts_cost DECIMAL(10,2),
    labor_cost DECIMAL(10,2),
    created_at TIMESTAMP WITH TIME ZONE,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


# The seed archive may be missing (a team that never ran 'Data Retention Policies'), or made by
# LIKE before 'Full-Text Search Indexes' ran (no search_vector): only the request columns it has
# are carried over (issue 14, part 4; `gmctl db adopt` refuses an archive with other columns).
SET_SEED_ARCHIVE_ASIDE = """
DO $$
DECLARE
    kept text;
BEGIN
    IF to_regclass('service_requests_archive') IS NULL THEN
        RETURN;
    END IF;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO kept FROM pg_attribute
     WHERE attrelid = 'service_requests_archive'::regclass AND attnum > 0 AND NOT attisdropped
       AND attname = ANY (string_to_array(replace('%s', ' ', ''), ','));
    EXECUTE format('CREATE TEMPORARY TABLE seed_service_requests_archive AS SELECT %%s'
                   ' FROM service_requests_archive AS a WHERE NOT EXISTS'
                   ' (SELECT 1 FROM service_requests AS s WHERE s.id = a.id)', kept);
    DROP TABLE service_requests_archive;
END
$$
""" % REQUEST_COLUMNS

MOVE_SEED_ARCHIVE_BACK = """
DO $$
DECLARE
    kept text;
BEGIN
    IF to_regclass('pg_temp.seed_service_requests_archive') IS NULL THEN
        RETURN;
    END IF;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO kept FROM pg_attribute
     WHERE attrelid = 'pg_temp.seed_service_requests_archive'::regclass AND attnum > 0
       AND NOT attisdropped;
    EXECUTE format('INSERT INTO service_requests_archive (%s) SELECT %s'
                   ' FROM seed_service_requests_archive', kept, kept);
    DROP TABLE seed_service_requests_archive;
END
$$
"""

CHILD_ARCHIVES = (
    "service_status_history_archive",
    "messages_archive",
    "hotel_bookings_archive",
    "loan_applications_archive",
    "vehicle_services_archive",
)

UPGRADE = [
    # Set the seed archive's truly archived rows aside (a temporary table: the
    # new table's index names would clash with the old table's).
    SET_SEED_ARCHIVE_ASIDE,
    SERVICE_REQUESTS_ARCHIVE,
    MOVE_SEED_ARCHIVE_BACK,
    "CREATE INDEX idx_service_requests_archive_user_id ON service_requests_archive(user_id)",
    SERVICE_STATUS_HISTORY_ARCHIVE,
    MESSAGES_ARCHIVE,
    HOTEL_BOOKINGS_ARCHIVE,
    LOAN_APPLICATIONS_ARCHIVE,
    VEHICLE_SERVICES_ARCHIVE,
    *(f"CREATE INDEX idx_{table}_service_request ON {table}(service_request_id)" for table in CHILD_ARCHIVES),
    "CREATE INDEX IF NOT EXISTS idx_hotel_bookings_service_request ON hotel_bookings(service_request_id)",
    "CREATE INDEX IF NOT EXISTS idx_loan_applications_service_request ON loan_applications(service_request_id)",
    "CREATE INDEX IF NOT EXISTS idx_vehicle_services_service_request ON vehicle_services(service_request_id)",
]

REFUSE_IF_ONLY_COPY = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM service_status_history_archive)
       OR EXISTS (SELECT 1 FROM messages_archive)
       OR EXISTS (SELECT 1 FROM hotel_bookings_archive)
       OR EXISTS (SELECT 1 FROM loan_applications_archive)
       OR EXISTS (SELECT 1 FROM vehicle_services_archive)
       OR EXISTS (SELECT 1 FROM service_requests_archive WHERE archived_links <> '{}') THEN
        RAISE EXCEPTION 'archive tables hold rows that exist nowhere else; dump them first';
    END IF;
END
$$
"""

DOWNGRADE = [
    REFUSE_IF_ONLY_COPY,
    (
        "DROP INDEX idx_vehicle_services_service_request, idx_loan_applications_service_request,"
        " idx_hotel_bookings_service_request"
    ),
    "DROP TABLE " + ", ".join(CHILD_ARCHIVES),
    (
        "CREATE TEMPORARY TABLE kept_service_requests_archive AS"
        f" SELECT {REQUEST_COLUMNS} FROM service_requests_archive"
    ),
    "DROP TABLE service_requests_archive",
    "CREATE TABLE service_requests_archive (LIKE service_requests INCLUDING ALL)",
    (
        f"INSERT INTO service_requests_archive ({REQUEST_COLUMNS})"
        f" SELECT {REQUEST_COLUMNS} FROM kept_service_requests_archive"
    ),
    "DROP TABLE kept_service_requests_archive",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
