"""`requests show`: one document with everything about a request, live or archived."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gmctl.db.models import (
    FileUpload,
    HotelBooking,
    LoanApplication,
    Message,
    Payment,
    ServiceRequestArchive,
    StatusChangeArchive,
    Vehicle,
    VehicleService,
)
from gmctl.errors import NotFound
from gmctl.requests.detail import request_document
from tests.conftest import FIXED_NOW


def test_a_vehicle_request_shows_everything_on_it(session, ada, customer, make_request):
    request = make_request(
        status="in_progress",
        assigned_to=ada.id,
        service_data={"mileage": 82000},
        estimated_cost=Decimal("45000.00"),
    )
    car = Vehicle(user_id=customer.id, make="Toyota", model="Corolla", year=2014, license_plate="LAG-123-XY")
    session.add(car)
    session.flush()
    session.add_all(
        [
            VehicleService(
                vehicle_id=car.id,
                service_type="oil_change",
                service_date=date(2026, 1, 10),
                cost=Decimal("15000"),
            ),
            VehicleService(
                vehicle_id=car.id,
                service_request_id=request.id,
                service_type="brake_service",
                service_date=date(2026, 11, 24),
            ),
            Payment(
                user_id=customer.id,
                service_request_id=request.id,
                amount=Decimal("20000.00"),
                payment_method="card",
                gateway="paystack",
                status="completed",
            ),
            Message(
                sender_id=customer.id, recipient_id=ada.id, service_request_id=request.id, content="Any news?"
            ),
            FileUpload(
                user_id=customer.id,
                service_request_id=request.id,
                original_filename="pads.jpg",
                stored_filename="x.jpg",
                file_path="/f/x.jpg",
                file_size=1200,
                mime_type="image/jpeg",
            ),
        ]
    )
    session.flush()
    doc = request_document(session, request.id)
    assert doc["request"]["status"] == "in_progress" and doc["request"]["estimated_cost"] == Decimal(
        "45000.00"
    )
    assert doc["customer"]["username"] == "chinedu" and doc["customer"]["name"] == "Chinedu Eze"
    assert doc["assignment"]["assignee"]["username"] == "ada"
    assert [(h["from"], h["to"]) for h in doc["history"]] == [
        (None, "pending"),
        ("pending", "confirmed"),
        ("confirmed", "in_progress"),
    ]
    assert [p["amount"] for p in doc["payments"]] == [Decimal("20000.00")]
    assert [m["content"] for m in doc["messages"]] == ["Any news?"]
    assert [f["name"] for f in doc["files"]] == ["pads.jpg"]
    record = doc["service_record"]
    assert record["kind"] == "vehicle" and record["vehicles"][0]["license_plate"] == "LAG-123-XY"
    assert [s["service_type"] for s in record["vehicles"][0]["service_history"]] == [
        "oil_change",
        "brake_service",
    ]
    assert doc["service_data"] == {"mileage": 82000}


def test_hotel_and_loan_records(session, customer, make_request):
    stay = make_request(service_type="hotel", title="Room in Abuja")
    session.add(
        HotelBooking(
            service_request_id=stay.id,
            user_id=customer.id,
            property_name="Transcorp",
            check_in_date=date(2026, 12, 1),
            check_out_date=date(2026, 12, 3),
        )
    )
    loan = make_request(service_type="loans", title="Shop stock loan")
    session.add(
        LoanApplication(
            service_request_id=loan.id,
            user_id=customer.id,
            loan_type="business",
            loan_amount=Decimal("500000.00"),
        )
    )
    session.flush()
    booking = request_document(session, stay.id)["service_record"]
    assert booking["kind"] == "hotel_booking" and booking["hotel_bookings"][0]["number_of_nights"] == 2
    application = request_document(session, loan.id)["service_record"]
    assert application["kind"] == "loan_application"
    assert application["loan_applications"][0]["loan_amount"] == Decimal("500000.00")


def test_an_archived_request_is_read_from_the_archive(session, customer, make_request):
    kept_payment = Payment(
        user_id=customer.id, amount=Decimal("7000.00"), payment_method="cash", gateway="paystack"
    )
    session.add(kept_payment)
    session.flush()
    archived_at = FIXED_NOW - timedelta(days=1)
    session.add(
        ServiceRequestArchive(
            id=990001,
            user_id=customer.id,
            service_type="jewelry",
            title="Ring resize",
            description="Size 7 to 8",
            status="completed",
            priority="normal",
            urgency_level=1,
            currency="NGN",
            service_data={},
            created_at=FIXED_NOW - timedelta(days=2000),
            archived_at=archived_at,
            archived_links={"payments": [kept_payment.id], "file_uploads": []},
        )
    )
    session.add(
        StatusChangeArchive(
            id=990001,
            service_request_id=990001,
            previous_status="in_progress",
            new_status="completed",
            archived_at=archived_at,
        )
    )
    session.flush()
    doc = request_document(session, 990001, archived=True)
    assert doc["request"]["title"] == "Ring resize"
    assert doc["archived"]["archived_at"] == archived_at
    assert [h["to"] for h in doc["history"]] == ["completed"]
    assert [p["id"] for p in doc["payments"]] == [kept_payment.id]
    with pytest.raises(NotFound, match="was archived") as live_lookup:
        request_document(session, 990001)
    assert "--archived" in live_lookup.value.hint


def test_missing_requests_are_not_found(session):
    with pytest.raises(NotFound, match="no request 424242"):
        request_document(session, 424242)
    with pytest.raises(NotFound, match="no archived request"):
        request_document(session, 424242, archived=True)


def test_before_any_work_is_recorded_the_customers_car_and_its_history_show(session, customer, make_request):
    car = Vehicle(user_id=customer.id, make="Honda", model="Accord", year=2011)
    sold = Vehicle(user_id=customer.id, make="Kia", model="Rio", year=2009, is_active=False)
    session.add_all([car, sold])
    session.flush()
    session.add(VehicleService(vehicle_id=car.id, service_type="inspection", service_date=date(2025, 5, 2)))
    request = make_request(service_type="car_service")
    vehicles = request_document(session, request.id)["service_record"]["vehicles"]
    assert [(v["model"], len(v["service_history"])) for v in vehicles] == [("Accord", 1)]
