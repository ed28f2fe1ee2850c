"""Demo service requests and their status history.

Two requests for every service type in every status, from the last three months, plus a few old
ones so retention has work: completed more than five years ago (to archive) and closed two to four
years ago (history past the two-year limit). Each request's history walks a lifecycle path from
(None -> pending) to its status, and the request's timestamps come from that history.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from gmctl.db.models.service_requests import PRIORITIES, REQUEST_STATUSES
from gmctl.seed.chains import PATHS, needs_assignee, transitions
from gmctl.seed.demo_world import Customer, DemoWorld, SeededRequest
from gmctl.seed.vocabulary import CITIES, REASONS, SERVICE_LINES, ServiceLine

PER_TYPE_AND_STATUS = 2
YEAR = timedelta(days=365)
# (how many, status, age of creation from, to): the old requests retention should find.
OLD_REQUESTS = (
    (6, "completed", 5 * YEAR + timedelta(days=40), 6 * YEAR),
    (5, "completed", 2 * YEAR + timedelta(days=30), 4 * YEAR),
    (3, "cancelled", 2 * YEAR + timedelta(days=30), 4 * YEAR),
)
CHANNELS = ("web", "mobile_app", "whatsapp", "phone")


def seed_requests(world: DemoWorld) -> None:
    plans = [_recent(world, line, status) for line in SERVICE_LINES for status in REQUEST_STATUSES
             for _ in range(PER_TYPE_AND_STATUS)]
    for count, status, youngest, oldest in OLD_REQUESTS:
        for _ in range(count):
            line = world.rng.choice(SERVICE_LINES)
            created = world.ago(youngest, oldest)
            settled = created + timedelta(days=world.rng.uniform(2, 20))
            plans.append(_plan(world, line, status, created, settled))
    plans.sort(key=lambda plan: plan[0].created_at)  # ids follow time, as on the live platform
    _insert(world, plans)


def _recent(world: DemoWorld, line: ServiceLine, status: str) -> tuple[SeededRequest, dict[str, Any]]:
    if status == "pending":
        created = world.ago(timedelta(minutes=40), timedelta(days=6))
    else:
        created = world.ago(timedelta(days=3), timedelta(days=80))
    return _plan(world, line, status, created, world.now - timedelta(minutes=20))


def _plan(world: DemoWorld, line: ServiceLine, status: str, created: datetime,
          settled_by: datetime) -> tuple[SeededRequest, dict[str, Any]]:
    """A request to insert: the SeededRequest the later steps use, and its remaining columns."""
    rng = world.rng
    path = rng.choice(PATHS[status])
    later = sorted(rng.uniform(0, (settled_by - created).total_seconds()) for _ in path[1:])
    moments = [created] + [(created + timedelta(seconds=s)).replace(microsecond=0) for s in later]
    customer = _customer_for(world, created)
    title, description = rng.choice(line.requests)
    if line.service_type in ("hotel", "logistics", "rental"):
        title = f"{title} ({customer.city.name})"
    assigned = needs_assignee(path) or ("confirmed" in path and rng.random() < 0.5)
    estimated = world.naira(*line.cost_range)
    request = SeededRequest(
        id=0, customer=customer, service_type=line.service_type, title=title, status=status, path=path,
        moments=moments, assigned_to=world.staff() if assigned else None, estimated_cost=estimated,
        final_cost=world.scaled(estimated, 0.9, 1.15) if status == "completed" else None,
        service_data=_service_data(world, line, customer),
    )
    return request, _columns(world, request, line, description)


def _customer_for(world: DemoWorld, created: datetime) -> Customer:
    eligible = [c for c in world.customers if c.since < created - timedelta(days=1)]
    if not eligible:
        return min(world.customers, key=lambda c: c.since)
    return world.rng.choice(eligible)


def _columns(world: DemoWorld, request: SeededRequest, line: ServiceLine, description: str) -> dict[str, Any]:
    rng = world.rng
    priority = rng.choices(PRIORITIES, weights=(2, 5, 2, 1))[0]
    preferred = world.local_date(request.created_at) + timedelta(days=rng.randrange(1, 15))
    confirmed_at = request.reached("confirmed")
    assigned_at = confirmed_at if request.assigned_to else None
    on_site = line.location_type is not None
    city = request.customer.city
    return {
        "user_id": request.customer.id, "service_type": request.service_type, "title": request.title,
        "description": description, "status": request.status, "priority": priority,
        "urgency_level": {"low": 1, "normal": rng.choice((1, 2, 3)), "high": 4, "urgent": 5}[priority],
        "estimated_cost": request.estimated_cost, "final_cost": request.final_cost, "currency": "NGN",
        "assigned_to": request.assigned_to, "assigned_at": assigned_at,
        "preferred_date": preferred, "preferred_time": time(rng.randrange(8, 17), rng.choice((0, 30))),
        "scheduled_date": world.at_lagos(preferred, rng.randrange(9, 16)) if confirmed_at else None,
        "completed_at": request.last_change if request.status == "completed" else None,
        "location_type": line.location_type,
        "location_address": request.customer.address if on_site else None,
        "location_coordinates": (round(city.longitude + rng.uniform(-0.04, 0.04), 5),
                                 round(city.latitude + rng.uniform(-0.04, 0.04), 5)) if on_site else None,
        "service_data": request.service_data,
        "internal_notes": rng.choice((None, None, "Customer prefers WhatsApp.",
                                      "Repeat customer; give priority.")),
        "customer_notes": rng.choice((None, None, "Please call before coming.", "Invoice in company name.")),
        "created_at": request.created_at, "updated_at": request.last_change,
    }


def _service_data(world: DemoWorld, line: ServiceLine, customer: Customer) -> dict[str, Any]:
    rng, kind = world.rng, line.service_type
    if kind == "hotel":
        return {"city": rng.choice(CITIES).name, "guests": rng.randrange(1, 5), "nights": rng.randrange(1, 6)}
    if kind == "logistics":
        return {"from": customer.area, "to": rng.choice(customer.city.areas), "items": rng.randrange(1, 20)}
    if kind == "loans":
        amount = world.naira(150_000, 5_000_000, 10_000)
        return {"amount_requested": str(amount), "term_months": rng.choice((3, 6, 9, 12, 18))}
    if kind == "rental":
        return {"days": rng.randrange(1, 5)}
    if kind in ("web_development", "creative_services"):
        return {"deliverables": rng.randrange(1, 12), "deadline_weeks": rng.randrange(1, 9)}
    if kind == "paperwork":
        return {"agency": rng.choice(("CAC", "NIS", "FRSC", "Lands Registry"))}
    return {}


def _insert(world: DemoWorld, plans: list[tuple[SeededRequest, dict[str, Any]]]) -> None:
    from gmctl.db.models import ServiceRequest, StatusChange

    ids = world.insert(ServiceRequest, [columns for _, columns in plans])
    history = []
    for request_id, (request, _) in zip(ids, plans):
        request.id = request_id
        world.requests.append(request)
        history.extend(_history(world, request))
    world.insert(StatusChange, history)


def _history(world: DemoWorld, request: SeededRequest) -> list[dict[str, Any]]:
    rng, rows = world.rng, []
    for (previous, new), moment in zip(transitions(request.path), request.moments):
        if previous is None:
            by, reason, metadata = request.customer.id, "Request created", {"channel": rng.choice(CHANNELS)}
        else:
            by_customer = new == "cancelled" and rng.random() < 0.5
            by = request.customer.id if by_customer else (request.assigned_to or world.staff())
            reason, metadata = rng.choice(REASONS[new]), {}
        rows.append({"service_request_id": request.id, "previous_status": previous, "new_status": new,
                     "changed_by": by, "reason": reason, "metadata": metadata, "created_at": moment})
    return rows
