"""Retention fixtures: a committed scratch database, an Env on it, and a builder of old and new rows.

Retention commits batch by batch on connections of its own, so these tests cannot use the
savepoint-isolated session: they work on `scratch_url`, a private clone at head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gmctl.context import Env
from gmctl.db.models import (
    FileUpload,
    HotelBooking,
    LoanApplication,
    Message,
    Notification,
    Payment,
    ServiceRequest,
    StatusChange,
    User,
    Vehicle,
    VehicleService,
)
from tests.conftest import FIXED_NOW, invoke
from tests.helpers.accounts import make_user

LIVE_TABLES = ("service_requests", "service_status_history", "messages", "hotel_bookings",
               "loan_applications", "vehicle_services")
YEAR = timedelta(days=365)


@pytest.fixture
def scratch_env(scratch_engine: Engine, tmp_path: Path) -> Env:
    """An Env on the committed scratch database, with the tests' fixed clock and a private GMCTL_HOME."""
    home = tmp_path / "home"
    home.mkdir()
    return Env(environ={"GMCTL_HOME": str(home), "NO_COLOR": "1"}, home=home, clock=lambda: FIXED_NOW,
               engine=scratch_engine)


@pytest.fixture
def run_cli(scratch_env: Env):
    """gmctl against the scratch database; each call gets a fresh Env sharing its engine and home."""

    def run(*args: str, **overrides: Any):
        env = Env(environ=dict(scratch_env.environ), home=scratch_env.home, clock=scratch_env.clock,
                  engine=scratch_env.engine, **overrides)
        return invoke(env, *args)

    return run


@pytest.fixture
def world(scratch_engine: Engine) -> Iterator["World"]:
    session = Session(scratch_engine, expire_on_commit=False)
    yield World(session)
    session.close()


@dataclass
class World:
    """Builds rows and commits them, so retention's own connections see them."""

    session: Session

    def commit(self) -> None:
        self.session.commit()

    def add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def person(self, name: str, **fields: Any) -> User:
        return make_user(self.session, name, **fields)

    def request(self, owner: User, *, status: str = "completed", age: timedelta = 6 * YEAR,
                completed: bool | None = None, **fields: Any) -> ServiceRequest:
        created = FIXED_NOW - age - timedelta(days=30)
        done = FIXED_NOW - age if (completed if completed is not None else status == "completed") else None
        return self.add(ServiceRequest(user_id=owner.id, service_type=fields.pop("service_type", "hotel"),
                                       title=fields.pop("title", f"request of {owner.username}"),
                                       description="made by the retention tests", status=status,
                                       completed_at=done, created_at=created, updated_at=done or created,
                                       **fields))

    def history(self, request: ServiceRequest, when: datetime, new: str = "completed",
                previous: str | None = "in_progress") -> StatusChange:
        return self.add(StatusChange(service_request_id=request.id, previous_status=previous, new_status=new,
                                     reason="test", created_at=when))

    def message(self, sender: User, request: ServiceRequest | None, *, reply_to: Message | None = None,
                when: datetime | None = None) -> Message:
        return self.add(Message(sender_id=sender.id, recipient_id=sender.id,
                                service_request_id=request.id if request else None, content="hello",
                                thread_id=reply_to.id if reply_to else None, created_at=when or FIXED_NOW))

    def booking(self, request: ServiceRequest, owner: User) -> HotelBooking:
        day = (request.created_at or FIXED_NOW).date()
        return self.add(HotelBooking(service_request_id=request.id, user_id=owner.id,
                                     property_name="Eko Hotel", check_in_date=day,
                                     check_out_date=day + timedelta(days=3),
                                     total_amount=Decimal("150000.00")))

    def loan(self, request: ServiceRequest, owner: User) -> LoanApplication:
        return self.add(LoanApplication(service_request_id=request.id, user_id=owner.id, loan_type="personal",
                                        loan_amount=Decimal("500000.00")))

    def vehicle_service(self, request: ServiceRequest, owner: User) -> VehicleService:
        car = self.add(Vehicle(user_id=owner.id, make="Toyota", model="Corolla", year=2015))
        return self.add(VehicleService(vehicle_id=car.id, service_request_id=request.id,
                                       service_type="repair", service_date=date(2020, 3, 1),
                                       parts_cost=Decimal("1000.00"), labor_cost=Decimal("500.00")))

    def payment(self, request: ServiceRequest, owner: User) -> Payment:
        return self.add(Payment(user_id=owner.id, service_request_id=request.id, amount=Decimal("25000.00"),
                                payment_method="card", gateway="paystack", status="completed"))

    def file(self, owner: User, request: ServiceRequest | None = None, *, temporary: bool = False,
             age: timedelta = timedelta(days=1)) -> FileUpload:
        return self.add(FileUpload(user_id=owner.id, service_request_id=request.id if request else None,
                                   original_filename="receipt.pdf", stored_filename="x.pdf",
                                   file_path="/f/x.pdf", file_size=1024, mime_type="application/pdf",
                                   is_temporary=temporary, created_at=FIXED_NOW - age))

    def notification(self, owner: User, request: ServiceRequest) -> Notification:
        return self.add(Notification(user_id=owner.id, type="service_update", title="done",
                                     action_data={"service_request_id": request.id}))

    def full_request(self, owner: User, *, age: timedelta = 6 * YEAR) -> ServiceRequest:
        """An old completed request with every kind of dependant row."""
        request = self.request(owner, age=age)
        for step, (previous, new) in enumerate([(None, "pending"), ("pending", "confirmed"),
                                                ("confirmed", "in_progress"), ("in_progress", "completed")]):
            self.history(request, FIXED_NOW - age - timedelta(days=30 - step), new, previous)
        first = self.message(owner, request, when=FIXED_NOW - age)
        self.message(owner, request, reply_to=first, when=FIXED_NOW - age)
        self.booking(request, owner)
        self.loan(request, owner)
        self.vehicle_service(request, owner)
        self.payment(request, owner)
        self.file(owner, request, age=age)
        self.notification(owner, request)
        return request


def rows_by_id(engine: Engine, table: str) -> dict[int, dict[str, Any]]:
    """Every row of a table, keyed by id, as JSON-comparable dicts (archive bookkeeping left out)."""
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT id, to_jsonb(t) - 'archived_at' - 'archived_links' AS row"
                                  f" FROM {table} t"))
        return {row.id: row.row for row in found}


def count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())
