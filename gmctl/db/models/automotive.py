"""Automotive line: customers' vehicles and their service history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import NOW, TRUE, Base, varchar_default

VEHICLE_SERVICE_TYPES = (
    "oil_change", "brake_service", "tire_rotation", "engine_tune", "transmission_service",
    "battery_replacement", "inspection", "repair", "maintenance", "cleaning", "other",
)  # fmt: skip


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (
        # "Not after next year" depends on today, so it is the trigger
        # trigger_vehicles_year_not_future, not part of this CHECK (seed-notes 10).
        CheckConstraint("year >= 1900", name="chk_year"),
        CheckConstraint("vin IS NULL OR LENGTH(vin) = 17", name="chk_vin_format"),
        CheckConstraint(
            "fuel_type IN ('petrol', 'diesel', 'electric', 'hybrid', 'lpg')", name="chk_fuel_type"
        ),
        CheckConstraint("transmission IN ('manual', 'automatic', 'cvt')", name="chk_transmission"),
        Index("idx_vehicles_user_id", "user_id"),
        Index("idx_vehicles_make_model", "make", "model"),
        Index("idx_vehicles_active", "is_active", postgresql_where=text("is_active = true")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    make: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(Integer)
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    license_plate: Mapped[str | None] = mapped_column(String(20))
    color: Mapped[str | None] = mapped_column(String(30))
    fuel_type: Mapped[str | None] = mapped_column(String(20), server_default=varchar_default("petrol"))
    transmission: Mapped[str | None] = mapped_column(String(15), server_default=varchar_default("manual"))
    engine_size: Mapped[str | None] = mapped_column(String(10))
    mileage: Mapped[int | None] = mapped_column(Integer)
    registration_number: Mapped[str | None] = mapped_column(String(50))
    registration_expiry: Mapped[datetime.date | None] = mapped_column(Date)
    insurance_provider: Mapped[str | None] = mapped_column(String(100))
    insurance_expiry: Mapped[datetime.date | None] = mapped_column(Date)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=TRUE)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)


class VehicleService(Base):
    __tablename__ = "vehicle_services"
    __table_args__ = (
        CheckConstraint(
            "service_type IN ({})".format(", ".join(f"'{t}'" for t in VEHICLE_SERVICE_TYPES)),
            name="chk_service_type_automotive",
        ),
        # The seed's three conditions, joined by AND (seed-notes 1).
        CheckConstraint(
            "(cost IS NULL OR cost >= 0) AND parts_cost >= 0 AND labor_cost >= 0",
            name="chk_costs_non_negative",
        ),
        Index("idx_vehicle_services_vehicle_id", "vehicle_id"),
        Index("idx_vehicle_services_service_date", "service_date"),
        Index("idx_vehicle_services_type", "service_type"),
        Index("idx_vehicle_services_service_request", "service_request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id", ondelete="CASCADE"))
    service_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    service_type: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    mileage_at_service: Mapped[int | None] = mapped_column(Integer)
    service_date: Mapped[datetime.date] = mapped_column(Date)
    next_service_due: Mapped[datetime.date | None] = mapped_column(Date)
    next_service_mileage: Mapped[int | None] = mapped_column(Integer)
    provider_name: Mapped[str | None] = mapped_column(String(100))
    provider_contact: Mapped[str | None] = mapped_column(String(20))
    parts_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), server_default=text("0"))
    labor_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), server_default=text("0"))
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
