"""Seed version 20240101000004: payments and payment_methods.

Seed-notes: none resolved here (replay of the schema document, see
20240101000001). `payment_methods.chk_card_exp` compares with CURRENT_DATE
(point 10, mended by fix10_date_rules_as_triggers), and `payments` gets its
inline NO ACTION foreign key to service_requests here (point 3, mended by
fix03_collapse_duplicates).
"""

from alembic import op

revision = "20240101000004"
down_revision = "20240101000003"
branch_labels = None
depends_on = None

PAYMENTS = r"""
CREATE TABLE payments (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    service_request_id INTEGER REFERENCES service_requests(id),

    -- Payment details
    amount DECIMAL(10,2) NOT NULL,
    currency VARCHAR(3) DEFAULT 'NGN',
    payment_method VARCHAR(50) NOT NULL,
    gateway VARCHAR(50) NOT NULL,

    -- Gateway information
    gateway_transaction_id VARCHAR(255),
    gateway_reference VARCHAR(255),
    gateway_response JSONB DEFAULT '{}',

    -- Payment status
    status VARCHAR(20) DEFAULT 'pending',
    failure_reason TEXT,

    -- Metadata
    description TEXT,
    metadata JSONB DEFAULT '{}',

    -- Timestamps
    initiated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_amount_positive CHECK (amount > 0),
    CONSTRAINT chk_payment_method CHECK (payment_method IN (
        'card', 'bank_transfer', 'wallet', 'cash', 'crypto'
    )),
    CONSTRAINT chk_gateway CHECK (gateway IN (
        'stripe', 'paypal', 'paystack', 'flutterwave', 'razorpay'
    )),
    CONSTRAINT chk_payment_status CHECK (status IN (
        'pending', 'processing', 'completed', 'failed', 'cancelled', 'refunded'
    ))
)
"""

PAYMENT_METHODS = r"""
CREATE TABLE payment_methods (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,

    -- Method details
    type VARCHAR(20) NOT NULL,
    provider VARCHAR(50) NOT NULL,

    -- Card information (encrypted)
    card_last_four VARCHAR(4),
    card_brand VARCHAR(20),
    card_exp_month INTEGER,
    card_exp_year INTEGER,

    -- Bank account information (encrypted)
    bank_name VARCHAR(100),
    account_last_four VARCHAR(4),
    account_type VARCHAR(20),

    -- Status and preferences
    is_default BOOLEAN DEFAULT FALSE,
    is_active BOOLEAN DEFAULT TRUE,

    -- Gateway references
    gateway_customer_id VARCHAR(255),
    gateway_payment_method_id VARCHAR(255),

    -- Metadata
    nickname VARCHAR(50),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_payment_method_type CHECK (type IN ('card', 'bank_account', 'wallet')),
    CONSTRAINT chk_card_exp CHECK (
        (type != 'card') OR
        (card_exp_month BETWEEN 1 AND 12 AND card_exp_year >= EXTRACT(YEAR FROM CURRENT_DATE))
    )
)
"""

UPGRADE = [
    PAYMENTS,
    "CREATE INDEX idx_payments_user_id ON payments(user_id)",
    "CREATE INDEX idx_payments_service_request_id ON payments(service_request_id)",
    "CREATE INDEX idx_payments_status ON payments(status)",
    "CREATE INDEX idx_payments_gateway ON payments(gateway)",
    "CREATE INDEX idx_payments_gateway_transaction_id ON payments(gateway_transaction_id)",
    "CREATE INDEX idx_payments_created_at ON payments(created_at)",
    PAYMENT_METHODS,
    "CREATE INDEX idx_payment_methods_user_id ON payment_methods(user_id)",
    (
        "CREATE INDEX idx_payment_methods_default ON payment_methods(user_id, is_default)"
        " WHERE is_default = TRUE"
    ),
    "CREATE INDEX idx_payment_methods_active ON payment_methods(is_active) WHERE is_active = TRUE",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE payment_methods, payments")
