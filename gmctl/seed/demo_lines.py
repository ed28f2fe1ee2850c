"""Demo rows of the business lines: hotel bookings, customers' vehicles and their service records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from gmctl.seed.demo_world import DemoWorld, SeededRequest
from gmctl.seed.vocabulary import CAR_COLOURS, CAR_MODELS, CITIES, HOTELS, PLATE_CODES, ROOM_TYPES

BOOKING_STATUS = {
    "pending": "pending", "confirmed": "confirmed", "in_progress": "checked_in", "on_hold": "pending",
    "completed": "checked_out", "cancelled": "cancelled", "failed": "no_show",
}  # fmt: skip
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O or Q in a VIN
WORKSHOPS = ("Mandilas Motors Service Centre", "Coscharis Autocare", "Elizade Service Plaza",
             "Mama Tee Auto Works")
SERVICE_FOR = {"automotive": ("brake_service", "repair", "engine_tune", "transmission_service"),
               "car_service": ("oil_change", "cleaning", "tire_rotation", "battery_replacement")}  # fmt: skip


def seed_bookings(world: DemoWorld) -> None:
    from gmctl.db.models import HotelBooking

    rows = [_booking(world, r) for r in world.requests if r.service_type == "hotel"]
    world.insert(HotelBooking, rows)


def _booking(world: DemoWorld, request: SeededRequest) -> dict[str, Any]:
    rng = world.rng
    wanted_city = request.service_data.get("city") or request.customer.city.name
    choices = [hotel for hotel in HOTELS if hotel[1] == wanted_city] or list(HOTELS)
    name, city_name = rng.choice(choices)
    city = next(c for c in CITIES if c.name == city_name)
    nights = int(request.service_data.get("nights", 2))
    if request.status in ("in_progress", "completed", "failed"):
        check_in = world.local_date(request.reached("in_progress") or request.last_change)
    else:
        check_in = world.local_date(world.now) + timedelta(days=rng.randrange(3, 40))
    if request.status == "completed":  # checked out: the stay ended when the request completed
        check_in = world.local_date(request.last_change) - timedelta(days=nights)
    rate = world.naira(35_000, 180_000, 5_000)
    guests = int(request.service_data.get("guests", 2))
    return {
        "service_request_id": request.id, "user_id": request.customer.id, "property_name": name,
        "property_type": "apartment" if "Apartments" in name else "resort" if "Resort" in name else "hotel",
        "room_type": rng.choice(ROOM_TYPES), "check_in_date": check_in,
        "check_out_date": check_in + timedelta(days=nights), "number_of_adults": max(1, guests - 1),
        "number_of_children": 1 if guests > 2 else 0, "room_rate": rate, "total_amount": rate * nights,
        "currency": "NGN",
        "special_requests": rng.choice((None, "Late check-in, around 11pm", "Airport pickup")),
        "dietary_requirements": rng.choice((None, None, "No pork", "Vegetarian")),
        "accessibility_needs": None,
        "booking_status": BOOKING_STATUS[request.status],
        "confirmation_number": f"GM{world.token(8)}" if request.reached("confirmed") else None,
        "property_address": f"{rng.randrange(1, 60)} {rng.choice(city.streets)}, {rng.choice(city.areas)}",
        "city": city.name, "state": city.state, "country": "Nigeria",
        "created_at": request.created_at, "updated_at": request.last_change,
    }


def seed_vehicles(world: DemoWorld) -> None:
    """A vehicle for every customer with a car request, and a service record for work that was done."""
    from gmctl.db.models import Vehicle, VehicleService

    car_requests = [r for r in world.requests if r.service_type in SERVICE_FOR]
    owners = {r.customer.id: r.customer for r in car_requests}
    rows = [_vehicle(world, owner.id, owner.since) for owner in owners.values()]
    for owner_id, vehicle_id in zip(owners, world.insert(Vehicle, rows)):
        world.vehicles[owner_id] = vehicle_id
    services = [_service(world, r) for r in car_requests if r.status in ("in_progress", "completed")]
    world.insert(VehicleService, services)


def _vehicle(world: DemoWorld, owner_id: int, since: Any) -> dict[str, Any]:
    rng = world.rng
    make, model = rng.choice(CAR_MODELS)
    year = rng.randrange(world.now.year - 18, world.now.year + 1)
    renewed = world.local_date(world.now) - timedelta(days=rng.randrange(0, 300))
    return {
        "user_id": owner_id, "make": make, "model": model, "year": year,
        "vin": "".join(rng.choice(VIN_CHARACTERS) for _ in range(17)),
        "license_plate": f"{rng.choice(PLATE_CODES)}-{rng.randrange(100, 999)}-{world.token(2)}",
        "color": rng.choice(CAR_COLOURS),
        "fuel_type": rng.choices(("petrol", "diesel", "hybrid"), (8, 2, 1))[0],
        "transmission": rng.choice(("automatic", "manual")),
        "engine_size": rng.choice(("1.6L", "1.8L", "2.4L", "3.5L")),
        "mileage": rng.randrange(20_000, 240_000), "registration_number": world.token(10),
        "registration_expiry": renewed + timedelta(days=365),
        "insurance_provider": rng.choice(("AIICO", "Leadway", "AXA Mansard", "Cornerstone")),
        "insurance_expiry": renewed + timedelta(days=rng.randrange(200, 365)), "is_active": True,
        "created_at": since, "updated_at": since,
    }


def _service(world: DemoWorld, request: SeededRequest) -> dict[str, Any]:
    rng = world.rng
    done = request.status == "completed"
    started = request.reached("in_progress") or request.last_change
    day = world.local_date(request.last_change if done else started)
    total = request.final_cost or request.estimated_cost
    parts = (total * Decimal(str(rng.choice((0.3, 0.5, 0.6))))).quantize(Decimal("0.01"))
    kind = rng.choice(SERVICE_FOR[request.service_type])
    mileage = rng.randrange(20_000, 240_000)
    return {
        "vehicle_id": world.vehicles[request.customer.id], "service_request_id": request.id,
        "service_type": kind, "description": request.title, "cost": total if done else None,
        "mileage_at_service": mileage, "service_date": day, "next_service_due": day + timedelta(days=180),
        "next_service_mileage": mileage + 10_000, "provider_name": rng.choice(WORKSHOPS),
        "provider_contact": world.phone(), "parts_cost": parts, "labor_cost": total - parts,
        "created_at": request.last_change,
    }
