"""Service requests, the centre of every business line, and their status history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, Time, text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import EMPTY_OBJECT, NOW, Base, Point, varchar_default

REQUEST_STATUSES = ("pending", "confirmed", "in_progress", "completed", "cancelled", "on_hold", "failed")
SERVICE_TYPES = (
    "automotive", "hotel", "logistics", "rental", "gadgets", "loans", "jewelry",
    "car_service", "paperwork", "creative_services", "web_development",
)  # fmt: skip
PRIORITIES = ("low", "normal", "high", "urgent")


def sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# gm05_triage_indexes (issue 5): the staff queue's sort key and open statuses, as that migration
# and gmctl.requests.columns spell them (tests/requests/test_indexes.py checks), laid out the way
# PostgreSQL prints the index, because the drift check compares the text line by line.
QUEUE_RANK_SQL = (
    "(\nCASE priority\n    WHEN 'urgent' THEN 0\n    WHEN 'high' THEN 10\n    WHEN 'normal' THEN 20\n"
    "    ELSE 30\nEND - COALESCE(urgency_level, 1))"
)
OPEN_SQL = "status IN ('pending', 'confirmed', 'in_progress', 'on_hold')"


class ServiceRequest(Base):
    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint("urgency_level BETWEEN 1 AND 5", name="service_requests_urgency_level_check"),
        CheckConstraint(f"service_type IN ({sql_list(SERVICE_TYPES)})", name="chk_service_type"),
        CheckConstraint(f"status IN ({sql_list(REQUEST_STATUSES)})", name="chk_status"),
        CheckConstraint(f"priority IN ({sql_list(PRIORITIES)})", name="chk_priority"),
        CheckConstraint(
            "(estimated_cost IS NULL OR estimated_cost >= 0) AND (final_cost IS NULL OR final_cost >= 0)",
            name="chk_costs",
        ),
        CheckConstraint(
            "service_data IS NULL OR jsonb_typeof(service_data) = 'object'", name="chk_service_data_schema"
        ),
        Index("idx_service_requests_user_id", "user_id"),
        Index("idx_service_requests_service_type", "service_type"),
        Index("idx_service_requests_status", "status"),
        Index("idx_service_requests_priority", "priority", "created_at"),
        Index(
            "idx_service_requests_assigned_to",
            "assigned_to",
            postgresql_where=text("assigned_to IS NOT NULL"),
        ),
        Index("idx_service_requests_created_at", "created_at"),
        Index(
            "idx_service_requests_location",
            "location_coordinates",
            postgresql_using="gist",
            postgresql_where=text("location_coordinates IS NOT NULL"),
        ),
        Index("idx_service_requests_user_status", "user_id", "status"),
        Index("idx_service_requests_type_status", "service_type", "status"),
        Index(
            "idx_service_requests_active",
            "status",
            "created_at",
            postgresql_where=text("status IN ('pending', 'confirmed', 'in_progress')"),
        ),
        Index("idx_service_requests_user_status_created", "user_id", "status", "created_at"),
        Index("idx_service_requests_type_status_date", "service_type", "status", "created_at"),
        Index("idx_service_requests_search", "search_vector", postgresql_using="gin"),
        # gm05_triage_indexes (issue 5)
        Index("idx_service_requests_queue", text(QUEUE_RANK_SQL), "created_at", "id",
              postgresql_where=text(OPEN_SQL)),
        Index("idx_service_requests_queue_assignee", "assigned_to", text(QUEUE_RANK_SQL), "created_at", "id",
              postgresql_include=["status"], postgresql_where=text(OPEN_SQL)),
        Index("idx_service_requests_queue_type", "service_type", text(QUEUE_RANK_SQL), "created_at", "id",
              postgresql_where=text(OPEN_SQL)),
        Index("idx_service_requests_open_created", "created_at", "id", postgresql_include=["status"],
              postgresql_where=text(OPEN_SQL)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service_type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default=varchar_default("pending"))
    priority: Mapped[str] = mapped_column(String(10), server_default=varchar_default("normal"))
    urgency_level: Mapped[int | None] = mapped_column(Integer, server_default=text("1"))
    estimated_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    final_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3), server_default=varchar_default("NGN"))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime.datetime | None]
    preferred_date: Mapped[datetime.date | None] = mapped_column(Date)
    preferred_time: Mapped[datetime.time | None] = mapped_column(Time)
    scheduled_date: Mapped[datetime.datetime | None]
    completed_at: Mapped[datetime.datetime | None]
    location_type: Mapped[str | None] = mapped_column(String(20))  # pickup, delivery, on_site
    location_address: Mapped[str | None] = mapped_column(Text)
    location_coordinates: Mapped[tuple[float, float] | None] = mapped_column(Point)
    service_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    internal_notes: Mapped[str | None] = mapped_column(Text)
    customer_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    # Kept by the trigger trigger_update_service_request_search_vector (gmctl.db.ddl).
    search_vector: Mapped[Any | None] = mapped_column(TSVECTOR)


class StatusChange(Base):
    """One status transition of a service request (table service_status_history)."""

    __tablename__ = "service_status_history"
    __table_args__ = (
        CheckConstraint(
            f"previous_status IS NULL OR previous_status IN ({sql_list(REQUEST_STATUSES)})",
            name="chk_status_values",
        ),
        CheckConstraint(f"new_status IN ({sql_list(REQUEST_STATUSES)})", name="chk_new_status_values"),
        CheckConstraint(
            "metadata IS NULL OR jsonb_typeof(metadata) = 'object'", name="chk_status_history_metadata_object"
        ),
        Index("idx_service_status_history_service_id", "service_request_id"),
        Index("idx_service_status_history_created_at", "created_at"),
        # gm05_triage_indexes (issue 5): completions per day in `requests stats`
        Index("idx_service_status_history_completed", "created_at",
              postgresql_where=text("new_status = 'completed'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    previous_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    # "metadata" is reserved on declarative classes.
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, server_default=EMPTY_OBJECT)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
