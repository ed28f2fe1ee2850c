"""Fixtures for the payments desk: a finance operator, a customer, and payments with known values."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gmctl.db.models import Payment
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user, sign_in

DATA = Path(__file__).parent / "data"


@pytest.fixture
def finance(env, session):
    """The signed-in operator (an Operator): an admin, with view_payments and manage_payments."""
    user = make_user(session, "funke", staff=True, roles=("admin",))
    return sign_in(env, session, user)


@pytest.fixture
def viewer(env, session):
    """A signed-in staff member: view_payments only."""
    user = make_user(session, "tobi", staff=True, roles=("staff",))
    return sign_in(env, session, user)


@pytest.fixture
def payer(session):
    return make_user(session, "ngozi", first_name="Ngozi", last_name="Okeke")


def add_payment(session, user_id: int, *, amount: str = "10000.00", status: str = "completed",
                gateway: str = "paystack", reference: str | None = None, txn: str | None = None,
                created_at: datetime | None = None, method: str = "card", **fields: Any) -> Payment:
    created = created_at or FIXED_NOW - timedelta(hours=2)
    payment = Payment(user_id=user_id, amount=Decimal(amount), currency="NGN", payment_method=method,
                      gateway=gateway, gateway_reference=reference, gateway_transaction_id=txn, status=status,
                      created_at=created, updated_at=created, initiated_at=created,
                      completed_at=created if status in ("completed", "refunded") else None, **fields)
    session.add(payment)
    session.flush()
    return payment
