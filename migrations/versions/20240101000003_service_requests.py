"""Seed version 20240101000003: service requests and the service-specific tables.

Seed-notes: none resolved here (replay of the schema document, see
20240101000001). What production has is replayed, so:
- `vehicle_services` is NOT created: its CREATE TABLE is a syntax error in the
  document (point 1; fix01_vehicle_services_costs creates it);
- `vehicles.chk_year` compares with CURRENT_DATE (point 10; fix10 mends it);
- the document creates `idx_service_requests_active` a second time in its
  'Partial Indexes' section; that second CREATE failed and is not replayed
  (point 2, no schema change needed).
"""

from alembic import op

revision = "20240101000003"
down_revision = "20240101000002"
branch_labels = None
depends_on = None

SERVICE_REQUESTS = r"""
CREATE TABLE service_requests (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    service_type VARCHAR(50) NOT NULL,
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,

    -- Status and priority
    status VARCHAR(20) DEFAULT 'pending' NOT NULL,
    priority VARCHAR(10) DEFAULT 'normal' NOT NULL,
    urgency_level INTEGER DEFAULT 1 CHECK (urgency_level BETWEEN 1 AND 5),

    -- Financial information
    estimated_cost DECIMAL(12,2),
    final_cost DECIMAL(12,2),
    currency VARCHAR(3) DEFAULT 'NGN',

    -- Assignment
    assigned_to INTEGER REFERENCES users(id),
    assigned_at TIMESTAMP WITH TIME ZONE,

    -- Scheduling
    preferred_date DATE,
    preferred_time TIME,
    scheduled_date TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE,

    -- Location (if applicable)
    location_type VARCHAR(20), -- 'pickup', 'delivery', 'on_site'
    location_address TEXT,
    location_coordinates POINT,

    -- Service-specific data (JSON for flexibility)
    service_data JSONB DEFAULT '{}',
    internal_notes TEXT,
    customer_notes TEXT,

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    -- Constraints
    CONSTRAINT chk_service_type CHECK (service_type IN (
        'automotive', 'hotel', 'logistics', 'rental', 'gadgets',
        'loans', 'jewelry', 'car_service', 'paperwork',
        'creative_services', 'web_development'
    )),
    CONSTRAINT chk_status CHECK (status IN (
        'pending', 'confirmed', 'in_progress', 'completed',
        'cancelled', 'on_hold', 'failed'
    )),
    CONSTRAINT chk_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT chk_costs CHECK (
        (estimated_cost IS NULL OR estimated_cost >= 0) AND
        (final_cost IS NULL OR final_cost >= 0)
    )
)
"""

SERVICE_STATUS_HISTORY = r"""
CREATE TABLE service_status_history (
    id SERIAL PRIMARY KEY,
    service_request_id INTEGER NOT NULL REFERENCES service_requests(id) ON DELETE CASCADE,
    previous_status VARCHAR(20),
    new_status VARCHAR(20) NOT NULL,
    changed_by INTEGER REFERENCES users(id),
    reason TEXT,
    metadata JSONB DEFAULT '{}',

    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_status_values CHECK (
        previous_status IS NULL OR previous_status IN (
            'pending', 'confirmed', 'in_progress', 'completed',
            'cancelled', 'on_hold', 'failed'
        )
    ),
    CONSTRAINT chk_new_status_values CHECK (new_status IN (
        'pending', 'confirmed', 'in_progress', 'completed',
        'cancelled', 'on_hold', 'failed'
    ))
)
"""

VEHICLES = r"""
CREATE TABLE vehicles (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,

    -- Vehicle identification
    make VARCHAR(50) NOT NULL,
    model VARCHAR(50) NOT NULL,
    year INTEGER NOT NULL,
    vin VARCHAR(17) UNIQUE,
    license_plate VARCHAR(20),

    -- Vehicle details
    color VARCHAR(30),
    fuel_type VARCHAR(20) DEFAULT 'petrol',
    transmission VARCHAR(15) DEFAULT 'manual',
    engine_size VARCHAR(10),
    mileage INTEGER,

    -- Registration information
    registration_number VARCHAR(50),
    registration_expiry DATE,
    insurance_provider VARCHAR(100),
    insurance_expiry DATE,

    -- Status
    is_active BOOLEAN DEFAULT TRUE,

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_year CHECK (year BETWEEN 1900 AND EXTRACT(YEAR FROM CURRENT_DATE) + 1),
    CONSTRAINT chk_vin_format CHECK (vin IS NULL OR LENGTH(vin) = 17),
    CONSTRAINT chk_fuel_type CHECK (fuel_type IN ('petrol', 'diesel', 'electric', 'hybrid', 'lpg')),
    CONSTRAINT chk_transmission CHECK (transmission IN ('manual', 'automatic', 'cvt'))
)
"""

HOTEL_BOOKINGS = r"""
CREATE TABLE hotel_bookings (
    id SERIAL PRIMARY KEY,
    service_request_id INTEGER REFERENCES service_requests(id),
    user_id INTEGER NOT NULL REFERENCES users(id),

    -- Booking details
    property_name VARCHAR(255),
    property_type VARCHAR(50) DEFAULT 'hotel',
    room_type VARCHAR(100),

    -- Dates and guests
    check_in_date DATE NOT NULL,
    check_out_date DATE NOT NULL,
    number_of_nights INTEGER GENERATED ALWAYS AS (check_out_date - check_in_date) STORED,
    number_of_adults INTEGER DEFAULT 1,
    number_of_children INTEGER DEFAULT 0,

    -- Pricing
    room_rate DECIMAL(10,2),
    total_amount DECIMAL(10,2),
    currency VARCHAR(3) DEFAULT 'NGN',

    -- Special requests
    special_requests TEXT,
    dietary_requirements TEXT,
    accessibility_needs TEXT,

    -- Booking status
    booking_status VARCHAR(20) DEFAULT 'pending',
    confirmation_number VARCHAR(50),

    -- Location
    property_address TEXT,
    city VARCHAR(100),
    state VARCHAR(100),
    country VARCHAR(100),

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_dates CHECK (check_out_date > check_in_date),
    CONSTRAINT chk_guests CHECK (number_of_adults > 0 AND number_of_children >= 0),
    CONSTRAINT chk_property_type CHECK (property_type IN (
        'hotel', 'resort', 'apartment', 'guesthouse', 'lodge', 'hostel'
    )),
    CONSTRAINT chk_booking_status CHECK (booking_status IN (
        'pending', 'confirmed', 'checked_in', 'checked_out', 'cancelled', 'no_show'
    ))
)
"""

LOAN_APPLICATIONS = r"""
CREATE TABLE loan_applications (
    id SERIAL PRIMARY KEY,
    service_request_id INTEGER REFERENCES service_requests(id),
    user_id INTEGER NOT NULL REFERENCES users(id),

    -- Loan details
    loan_type VARCHAR(50) NOT NULL,
    loan_amount DECIMAL(12,2) NOT NULL,
    currency VARCHAR(3) DEFAULT 'NGN',
    loan_purpose TEXT,
    requested_term_months INTEGER,

    -- Applicant information
    employment_status VARCHAR(50),
    monthly_income DECIMAL(10,2),
    existing_debts DECIMAL(10,2) DEFAULT 0,
    credit_score INTEGER,

    -- Application status
    application_status VARCHAR(20) DEFAULT 'submitted',
    approved_amount DECIMAL(12,2),
    approved_rate DECIMAL(5,4),
    approved_term_months INTEGER,

    -- Decision information
    decision_date DATE,
    decision_reason TEXT,
    reviewed_by INTEGER REFERENCES users(id),

    -- Risk assessment
    risk_score INTEGER CHECK (risk_score BETWEEN 0 AND 100),
    risk_factors JSONB DEFAULT '[]',

    -- Documentation
    documents_submitted JSONB DEFAULT '[]',
    documents_verified BOOLEAN DEFAULT FALSE,

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_loan_type CHECK (loan_type IN (
        'personal', 'business', 'auto', 'mortgage', 'student', 'payday'
    )),
    CONSTRAINT chk_amounts CHECK (
        loan_amount > 0 AND
        (approved_amount IS NULL OR approved_amount > 0) AND
        (monthly_income IS NULL OR monthly_income >= 0) AND
        existing_debts >= 0
    ),
    CONSTRAINT chk_employment_status CHECK (employment_status IN (
        'employed_full_time', 'employed_part_time', 'self_employed',
        'unemployed', 'student', 'retired'
    )),
    CONSTRAINT chk_application_status CHECK (application_status IN (
        'submitted', 'under_review', 'approved', 'rejected',
        'withdrawn', 'expired'
    ))
)
"""

UPGRADE = [
    SERVICE_REQUESTS,
    "CREATE INDEX idx_service_requests_user_id ON service_requests(user_id)",
    "CREATE INDEX idx_service_requests_service_type ON service_requests(service_type)",
    "CREATE INDEX idx_service_requests_status ON service_requests(status)",
    "CREATE INDEX idx_service_requests_priority ON service_requests(priority, created_at)",
    (
        "CREATE INDEX idx_service_requests_assigned_to ON service_requests(assigned_to)"
        " WHERE assigned_to IS NOT NULL"
    ),
    "CREATE INDEX idx_service_requests_created_at ON service_requests(created_at)",
    (
        "CREATE INDEX idx_service_requests_location ON service_requests"
        " USING GIST(location_coordinates) WHERE location_coordinates IS NOT NULL"
    ),
    "CREATE INDEX idx_service_requests_user_status ON service_requests(user_id, status)",
    "CREATE INDEX idx_service_requests_type_status ON service_requests(service_type, status)",
    (
        "CREATE INDEX idx_service_requests_active ON service_requests(status, created_at)"
        " WHERE status IN ('pending', 'confirmed', 'in_progress')"
    ),
    SERVICE_STATUS_HISTORY,
    "CREATE INDEX idx_service_status_history_service_id ON service_status_history(service_request_id)",
    "CREATE INDEX idx_service_status_history_created_at ON service_status_history(created_at)",
    VEHICLES,
    "CREATE INDEX idx_vehicles_user_id ON vehicles(user_id)",
    "CREATE INDEX idx_vehicles_make_model ON vehicles(make, model)",
    "CREATE INDEX idx_vehicles_vin ON vehicles(vin) WHERE vin IS NOT NULL",
    "CREATE INDEX idx_vehicles_active ON vehicles(is_active) WHERE is_active = TRUE",
    HOTEL_BOOKINGS,
    "CREATE INDEX idx_hotel_bookings_user_id ON hotel_bookings(user_id)",
    "CREATE INDEX idx_hotel_bookings_check_in ON hotel_bookings(check_in_date)",
    "CREATE INDEX idx_hotel_bookings_status ON hotel_bookings(booking_status)",
    "CREATE INDEX idx_hotel_bookings_location ON hotel_bookings(city, state)",
    LOAN_APPLICATIONS,
    "CREATE INDEX idx_loan_applications_user_id ON loan_applications(user_id)",
    "CREATE INDEX idx_loan_applications_status ON loan_applications(application_status)",
    "CREATE INDEX idx_loan_applications_type ON loan_applications(loan_type)",
    "CREATE INDEX idx_loan_applications_amount ON loan_applications(loan_amount)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TABLE loan_applications, hotel_bookings, vehicles, service_status_history, service_requests"
    )
