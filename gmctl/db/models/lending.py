"""Loans line: loan applications."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import EMPTY_ARRAY, FALSE, NOW, Base, varchar_default


class LoanApplication(Base):
    __tablename__ = "loan_applications"
    __table_args__ = (
        CheckConstraint("risk_score BETWEEN 0 AND 100", name="loan_applications_risk_score_check"),
        CheckConstraint(
            "loan_type IN ('personal', 'business', 'auto', 'mortgage', 'student', 'payday')",
            name="chk_loan_type",
        ),
        CheckConstraint(
            "loan_amount > 0 AND (approved_amount IS NULL OR approved_amount > 0)"
            " AND (monthly_income IS NULL OR monthly_income >= 0) AND existing_debts >= 0",
            name="chk_amounts",
        ),
        CheckConstraint(
            "employment_status IN ('employed_full_time', 'employed_part_time', 'self_employed',"
            " 'unemployed', 'student', 'retired')",
            name="chk_employment_status",
        ),
        CheckConstraint(
            "application_status IN ('submitted', 'under_review', 'approved', 'rejected',"
            " 'withdrawn', 'expired')",
            name="chk_application_status",
        ),
        CheckConstraint(
            "risk_factors IS NULL OR jsonb_typeof(risk_factors) = 'array'", name="chk_risk_factors_array"
        ),
        CheckConstraint(
            "documents_submitted IS NULL OR jsonb_typeof(documents_submitted) = 'array'",
            name="chk_documents_submitted_array",
        ),
        Index("idx_loan_applications_user_id", "user_id"),
        Index("idx_loan_applications_status", "application_status"),
        Index("idx_loan_applications_type", "loan_type"),
        Index("idx_loan_applications_amount", "loan_amount"),
        Index("idx_loan_applications_service_request", "service_request_id"),
        # gm16_loan_queue_indexes (issue 11): the review queue's keyset order
        Index("idx_loan_applications_queue", "created_at", "id",
              postgresql_where=text("application_status IN ('submitted', 'under_review')")),
        Index("idx_loan_applications_queue_amount", "loan_amount",
              postgresql_where=text("application_status IN ('submitted', 'under_review')")),
        Index("idx_loan_applications_queue_customer", "user_id", "created_at", "id",
              postgresql_where=text("application_status IN ('submitted', 'under_review')")),
        Index("idx_loan_applications_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    loan_type: Mapped[str] = mapped_column(String(50))
    loan_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3), server_default=varchar_default("NGN"))
    loan_purpose: Mapped[str | None] = mapped_column(Text)
    requested_term_months: Mapped[int | None] = mapped_column(Integer)
    employment_status: Mapped[str | None] = mapped_column(String(50))
    monthly_income: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    existing_debts: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), server_default=text("0"))
    credit_score: Mapped[int | None] = mapped_column(Integer)
    application_status: Mapped[str | None] = mapped_column(
        String(20), server_default=varchar_default("submitted")
    )
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    approved_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    approved_term_months: Mapped[int | None] = mapped_column(Integer)
    decision_date: Mapped[datetime.date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    risk_score: Mapped[int | None] = mapped_column(Integer)
    risk_factors: Mapped[list[Any] | None] = mapped_column(JSONB, server_default=EMPTY_ARRAY)
    documents_submitted: Mapped[list[Any] | None] = mapped_column(JSONB, server_default=EMPTY_ARRAY)
    documents_verified: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
