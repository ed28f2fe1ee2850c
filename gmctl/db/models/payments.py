"""Money: payment transactions and customers' stored payment methods."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import EMPTY_OBJECT, FALSE, NOW, TRUE, Base, varchar_default


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="chk_amount_positive"),
        CheckConstraint(
            "payment_method IN ('card', 'bank_transfer', 'wallet', 'cash', 'crypto')",
            name="chk_payment_method",
        ),
        CheckConstraint(
            "gateway IN ('stripe', 'paypal', 'paystack', 'flutterwave', 'razorpay')", name="chk_gateway"
        ),
        CheckConstraint(
            "status IN ('pending', 'processing', 'completed', 'failed', 'cancelled', 'refunded')",
            name="chk_payment_status",
        ),
        CheckConstraint(
            "gateway_response IS NULL OR jsonb_typeof(gateway_response) = 'object'",
            name="chk_gateway_response_object",
        ),
        CheckConstraint("metadata IS NULL OR jsonb_typeof(metadata) = 'object'", name="chk_metadata_object"),
        Index("idx_payments_user_id", "user_id"),
        Index("idx_payments_service_request_id", "service_request_id"),
        Index("idx_payments_status", "status"),
        Index("idx_payments_gateway", "gateway"),
        Index("idx_payments_gateway_transaction_id", "gateway_transaction_id"),
        Index("idx_payments_created_at", "created_at"),
        Index("idx_payments_user_status_created", "user_id", "status", "created_at"),
        Index("idx_payments_gateway_status_date", "gateway", "status", "created_at"),
        # gm14: `payments show REFERENCE`, `list --reference PREFIX` and reconcile find payments by
        # our reference; pattern ops so that a prefix (LIKE 'GMS-2026-%') uses it as well as equality.
        Index("idx_payments_gateway_reference", "gateway_reference",
              postgresql_ops={"gateway_reference": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A payment outlives its request: archiving a request detaches it (seed-notes 3, 9).
    service_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="SET NULL")
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str | None] = mapped_column(String(3), server_default=varchar_default("NGN"))
    payment_method: Mapped[str] = mapped_column(String(50))
    gateway: Mapped[str] = mapped_column(String(50))
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255))
    gateway_reference: Mapped[str | None] = mapped_column(String(255))
    gateway_response: Mapped[dict[str, Any] | None] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    status: Mapped[str | None] = mapped_column(String(20), server_default=varchar_default("pending"))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # "metadata" is reserved on declarative classes.
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, server_default=EMPTY_OBJECT)
    initiated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    completed_at: Mapped[datetime.datetime | None]
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)


class PaymentMethod(Base):
    __tablename__ = "payment_methods"
    __table_args__ = (
        CheckConstraint("type IN ('card', 'bank_account', 'wallet')", name="chk_payment_method_type"),
        # "Not expired" depends on today, so it is the trigger
        # trigger_payment_methods_card_not_expired, not part of this CHECK (seed-notes 10).
        CheckConstraint("type != 'card' OR card_exp_month BETWEEN 1 AND 12", name="chk_card_exp"),
        Index("idx_payment_methods_user_id", "user_id"),
        Index("idx_payment_methods_active", "is_active", postgresql_where=text("is_active = true")),
        Index(
            "uq_payment_methods_default",
            "user_id",
            unique=True,
            postgresql_where=text("is_default = true"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(50))
    card_last_four: Mapped[str | None] = mapped_column(String(4))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_exp_month: Mapped[int | None] = mapped_column(Integer)
    card_exp_year: Mapped[int | None] = mapped_column(Integer)
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_last_four: Mapped[str | None] = mapped_column(String(4))
    account_type: Mapped[str | None] = mapped_column(String(20))
    is_default: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=TRUE)
    gateway_customer_id: Mapped[str | None] = mapped_column(String(255))
    gateway_payment_method_id: Mapped[str | None] = mapped_column(String(255))
    nickname: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)


class PaymentRefund(Base):
    """One refund of a payment (migration gm14): requested by gmctl, executed at the gateway by the
    platform or a person, then marked processed (with the gateway's refund reference) or failed.

    amount: NGN, NUMERIC(10,2) like payments.amount. idempotency_key: unique per payment (a retried
    `payments refund` with the same key returns the first refund). Times are UTC.
    """

    __tablename__ = "payment_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="chk_payment_refunds_amount_positive"),
        CheckConstraint(
            "status IN ('requested', 'processed', 'failed')", name="chk_payment_refunds_status"
        ),
        UniqueConstraint("payment_id", "idempotency_key", name="uq_payment_refunds_idempotency"),
        Index("idx_payment_refunds_payment_id", "payment_id"),
        Index("idx_payment_refunds_open", "status", postgresql_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), server_default=varchar_default("requested"))
    gateway_refund_reference: Mapped[str | None] = mapped_column(String(255))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime.datetime] = mapped_column(server_default=NOW)
    processed_at: Mapped[datetime.datetime | None]
    failed_at: Mapped[datetime.datetime | None]
    updated_at: Mapped[datetime.datetime] = mapped_column(server_default=NOW)
