"""Fixtures for the triage tests: staff at the desk, customers, and requests with a true history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

import pytest
from sqlalchemy import select

from gmctl.db.models import ServiceRequest, StatusChange
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user, sign_in


@pytest.fixture
def ada(env, session):
    """The signed-in operator: staff, with the staff role's permissions (triage, no reopening)."""
    user = make_user(session, "ada", staff=True, roles=("staff",), first_name="Ada", last_name="Obi")
    sign_in(env, session, user)
    return user


@pytest.fixture
def bola(session):
    """Another staff member (not signed in)."""
    return make_user(session, "bola", staff=True, roles=("staff",), first_name="Bola", last_name="Ade")


@pytest.fixture
def boss(session):
    return make_user(session, "boss", staff=True, roles=("admin",))


@pytest.fixture
def customer(session):
    return make_user(session, "chinedu", first_name="Chinedu", last_name="Eze")


def path_to(status: str) -> list[str]:
    """A lifecycle path from creation to `status` (the shortest one)."""
    return {
        "pending": ["pending"],
        "confirmed": ["pending", "confirmed"],
        "in_progress": ["pending", "confirmed", "in_progress"],
        "completed": ["pending", "confirmed", "in_progress", "completed"],
        "cancelled": ["pending", "cancelled"],
        "failed": ["pending", "confirmed", "in_progress", "failed"],
        "on_hold": ["pending", "confirmed", "on_hold"],
    }[status]


def add_request(
    session,
    customer_id: int,
    *,
    status: str = "pending",
    title: str = "Brake pads squeal",
    description: str = "Front brake pads squeal when stopping.",
    service_type: str = "automotive",
    priority: str = "normal",
    urgency: int = 1,
    created_at: datetime | None = None,
    assigned_to: int | None = None,
    history: list[str] | None = None,
    **fields: Any,
) -> ServiceRequest:
    created = created_at or FIXED_NOW - timedelta(hours=1)
    request = ServiceRequest(
        user_id=customer_id,
        service_type=service_type,
        title=title,
        description=description,
        status=status,
        priority=priority,
        urgency_level=urgency,
        created_at=created,
        updated_at=created,
        assigned_to=assigned_to,
        assigned_at=created if assigned_to else None,
        completed_at=created if status == "completed" else None,
        **fields,
    )
    session.add(request)
    session.flush()
    steps = history or path_to(status)
    for i, (previous, new) in enumerate(zip([None, *steps[:-1]], steps)):
        session.add(
            StatusChange(
                service_request_id=request.id,
                previous_status=previous,
                new_status=new,
                created_at=created + timedelta(minutes=i),
            )
        )
    session.flush()
    return request


@pytest.fixture
def make_request(session, customer) -> Callable[..., ServiceRequest]:
    return lambda **kw: add_request(session, kw.pop("customer_id", customer.id), **kw)


def last_history(session, request_id: int) -> StatusChange:
    return session.execute(
        select(StatusChange)
        .where(StatusChange.service_request_id == request_id)
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(1)
    ).scalar_one()


@pytest.fixture
def vacuumed_afterwards(shared_engine):
    """For tests that insert tens of thousands of rows: once their transaction is rolled back,
    VACUUM gives the shared database its old size back, so later tests' plans do not change."""
    yield
    with shared_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM service_requests")
