"""Fixtures for the users group: an administrator signed in, a customer with a history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gmctl.db.models import (
    HotelBooking,
    Message,
    Payment,
    PaymentMethod,
    ServiceRequest,
    UserProfile,
    Vehicle,
)
from tests.helpers.accounts import make_user, sign_in


@pytest.fixture
def admin(env, session):
    user = make_user(session, "adaeze", staff=True, roles=("admin",), first_name="Adaeze", last_name="Okafor")
    sign_in(env, session, user)
    return user


@pytest.fixture
def root(env, session):
    user = make_user(session, "rooty", superuser=True, staff=True)
    sign_in(env, session, user)
    return user


@pytest.fixture
def customer(session):
    """A customer with a profile, a request, a payment, a card, a booking, a vehicle and a message."""
    user = make_user(
        session,
        "kemi",
        first_name="Kemi",
        last_name="Adeyemi",
        phone="+2348031234567",
        email="Kemi.Adeyemi@example.ng",
        date_of_birth=date(1990, 5, 17),
        gender="female",
    )
    session.add(UserProfile(user_id=user.id, street_address="12 Awolowo Road", city="Lagos"))
    request = ServiceRequest(
        user_id=user.id,
        service_type="hotel",
        title="Room in Abuja",
        description="Two nights near the airport",
        location_address="12 Awolowo Road",
        customer_notes="call before arriving",
    )
    session.add(request)
    session.flush()
    session.add_all(
        [
            Payment(
                user_id=user.id,
                service_request_id=request.id,
                amount=Decimal("45000.00"),
                payment_method="card",
                gateway="paystack",
                status="completed",
            ),
            PaymentMethod(
                user_id=user.id,
                type="bank_account",
                provider="paystack",
                bank_name="GTBank",
                account_last_four="4321",
            ),
            HotelBooking(
                user_id=user.id,
                service_request_id=request.id,
                check_in_date=date(2026, 12, 1),
                check_out_date=date(2026, 12, 3),
                dietary_requirements="no pork",
                total_amount=Decimal("90000"),
            ),
            Vehicle(
                user_id=user.id,
                make="Toyota",
                model="Corolla",
                year=2015,
                vin="1HGCM82633A004352",
                license_plate="LND-123-AB",
            ),
            Message(
                sender_id=user.id,
                service_request_id=request.id,
                subject="My booking",
                content="Please note my phone +2348031234567",
            ),
        ]
    )
    session.flush()
    return user
