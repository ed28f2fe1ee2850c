"""Refunds of payments (issue 12): the payment_refunds table.

Revision ID: gm14_payment_refunds
Revises: gm13_files_desk

- One row per refund that `gmctl payments refund` records. gmctl never calls the gateway: the
  platform or a person executes the refund there, then `payments refund-done` (or a reconcile run
  that sees it) marks it processed, or `payments refund-failed` marks it failed.
- amount NUMERIC(10,2) NGN like payments.amount, always > 0. The sum of a payment's non-failed
  refunds never exceeds the payment's amount: gmctl checks it under a row lock on the payment.
- idempotency_key is unique per payment: a retried refund with the same key returns the first row.
- idx_payments_gateway_reference (varchar_pattern_ops): payments are found by our reference or its
  prefix (show, list --reference, reconcile).
- requested_by survives the person (ON DELETE SET NULL); a payment with refunds cannot be deleted.
"""

from __future__ import annotations

from alembic import op

from gmctl.db import ddl

revision = "gm14_payment_refunds"
down_revision = "gm13_files_desk"
branch_labels = None
depends_on = None

PAYMENT_REFUNDS = """
CREATE TABLE payment_refunds (
    id SERIAL PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    amount NUMERIC(10, 2) NOT NULL,
    reason TEXT NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'requested',
    gateway_refund_reference VARCHAR(255),
    failure_reason TEXT,
    requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    requested_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    processed_at TIMESTAMP WITH TIME ZONE,
    failed_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_payment_refunds_amount_positive CHECK (amount > 0),
    CONSTRAINT chk_payment_refunds_status CHECK (status IN ('requested', 'processed', 'failed')),
    CONSTRAINT uq_payment_refunds_idempotency UNIQUE (payment_id, idempotency_key)
)
"""

UPGRADE = [
    PAYMENT_REFUNDS,
    "CREATE INDEX idx_payment_refunds_payment_id ON payment_refunds(payment_id)",
    # `payments show REFERENCE`, `list --reference PREFIX` and reconcile find payments by our
    # reference; pattern ops so that a prefix (LIKE 'GMS-2026-%') uses it as well as equality.
    "CREATE INDEX idx_payments_gateway_reference ON payments(gateway_reference varchar_pattern_ops)",
    "CREATE INDEX idx_payment_refunds_open ON payment_refunds(status) WHERE status = 'requested'",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


# Refunds are money owed to customers: a downgrade never throws them away (as fix06 keeps system_logs).
REFUSE_IF_REFUNDS = ddl.refuse_drop_while_rows("payment_refunds", "dump it (gmctl db backup) and empty it first")


def downgrade() -> None:
    op.execute(REFUSE_IF_REFUNDS)
    op.execute("DROP TABLE payment_refunds")
    op.execute("DROP INDEX IF EXISTS idx_payments_gateway_reference")
