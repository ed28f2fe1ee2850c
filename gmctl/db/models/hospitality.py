"""Hotel line: accommodation bookings."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import NOW, Base, varchar_default


class HotelBooking(Base):
    __tablename__ = "hotel_bookings"
    __table_args__ = (
        CheckConstraint("check_out_date > check_in_date", name="chk_dates"),
        CheckConstraint("number_of_adults > 0 AND number_of_children >= 0", name="chk_guests"),
        CheckConstraint(
            "property_type IN ('hotel', 'resort', 'apartment', 'guesthouse', 'lodge', 'hostel')",
            name="chk_property_type",
        ),
        CheckConstraint(
            "booking_status IN ('pending', 'confirmed', 'checked_in', 'checked_out', 'cancelled', 'no_show')",
            name="chk_booking_status",
        ),
        Index("idx_hotel_bookings_user_id", "user_id"),
        Index("idx_hotel_bookings_check_in", "check_in_date"),
        Index("idx_hotel_bookings_status", "booking_status"),
        Index("idx_hotel_bookings_location", "city", "state"),
        Index("idx_hotel_bookings_service_request", "service_request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    property_name: Mapped[str | None] = mapped_column(String(255))
    property_type: Mapped[str | None] = mapped_column(String(50), server_default=varchar_default("hotel"))
    room_type: Mapped[str | None] = mapped_column(String(100))
    check_in_date: Mapped[datetime.date] = mapped_column(Date)
    check_out_date: Mapped[datetime.date] = mapped_column(Date)
    number_of_nights: Mapped[int | None] = mapped_column(
        Integer, Computed("check_out_date - check_in_date", persisted=True)
    )
    number_of_adults: Mapped[int | None] = mapped_column(Integer, server_default=text("1"))
    number_of_children: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    room_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str | None] = mapped_column(String(3), server_default=varchar_default("NGN"))
    special_requests: Mapped[str | None] = mapped_column(Text)
    dietary_requirements: Mapped[str | None] = mapped_column(Text)
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    booking_status: Mapped[str | None] = mapped_column(String(20), server_default=varchar_default("pending"))
    confirmation_number: Mapped[str | None] = mapped_column(String(50))
    property_address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
