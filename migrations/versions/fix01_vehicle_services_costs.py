"""fix01: create vehicle_services, its cost CHECK written with AND (seed-notes 1).

The document's CHECK separates its three conditions with commas, a syntax error,
so production never got the table. It is created here exactly as the document
writes it, except that the conditions are joined by AND, with the first one in
parentheses: `cost IS NULL OR cost >= 0 AND ...` would bind as
`cost IS NULL OR (cost >= 0 AND ...)` and let negative part/labour costs in
whenever cost is NULL.

Live databases whose team created the table by hand (issue 14, part 4) keep it and its rows:
CREATE TABLE IF NOT EXISTS leaves it, the CHECK is put back in the form above (a hand-mended
`cost IS NULL OR cost >= 0 AND ...` without the parentheses lets a negative part or labour cost
in beside a NULL cost, and a table made without it gets it; `gmctl db adopt` lists such rows before changing anything), and the
indexes are made IF NOT EXISTS. `gmctl db adopt` has already checked that such a table has the
document's columns and constraints (gmctl.adopt.variants).
"""

from alembic import op

revision = "fix01_vehicle_services_costs"
down_revision = "fix00_complete_optional_blocks"
branch_labels = None
depends_on = None

VEHICLE_SERVICES = r"""
CREATE TABLE IF NOT EXISTS vehicle_services (
    id SERIAL PRIMARY KEY,
    vehicle_id INTEGER NOT NULL REFERENCES vehicles(id) ON DELETE CASCADE,
    service_request_id INTEGER REFERENCES service_requests(id),

    service_type VARCHAR(50) NOT NULL,
    description TEXT,
    cost DECIMAL(10,2),
    mileage_at_service INTEGER,

    service_date DATE NOT NULL,
    next_service_due DATE,
    next_service_mileage INTEGER,

    -- Service provider
    provider_name VARCHAR(100),
    provider_contact VARCHAR(20),

    -- Parts and labor
    parts_cost DECIMAL(10,2) DEFAULT 0,
    labor_cost DECIMAL(10,2) DEFAULT 0,

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_service_type_automotive CHECK (service_type IN (
        'oil_change', 'brake_service', 'tire_rotation', 'engine_tune',
        'transmission_service', 'battery_replacement', 'inspection',
        'repair', 'maintenance', 'cleaning', 'other'
    )),
    CONSTRAINT chk_costs_non_negative CHECK (
        (cost IS NULL OR cost >= 0) AND
        parts_cost >= 0 AND
        labor_cost >= 0
    )
)
"""

COSTS_NON_NEGATIVE = """
ALTER TABLE vehicle_services DROP CONSTRAINT IF EXISTS chk_costs_non_negative,
    ADD CONSTRAINT chk_costs_non_negative CHECK (
        (cost IS NULL OR cost >= 0) AND
        parts_cost >= 0 AND
        labor_cost >= 0
    )
"""

UPGRADE = [
    VEHICLE_SERVICES,
    COSTS_NON_NEGATIVE,
    "CREATE INDEX IF NOT EXISTS idx_vehicle_services_vehicle_id ON vehicle_services(vehicle_id)",
    "CREATE INDEX IF NOT EXISTS idx_vehicle_services_service_date ON vehicle_services(service_date)",
    "CREATE INDEX IF NOT EXISTS idx_vehicle_services_type ON vehicle_services(service_type)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE vehicle_services")
