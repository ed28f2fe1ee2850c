"""One request on one screen: the request, its customer, assignment, history, money, messages,
files, its service line's record and service_data, as one document.

`archived=True` reads the archive tables retention fills (fix09): the request, its history,
messages, bookings, loans and vehicle services from the *_archive tables; payments and files stay
live and are found by the ids in archived_links. Every part is a short index lookup by request id
(or by the vehicle's id for its service history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, select

from gmctl.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

VEHICLE_TYPES = ("automotive", "car_service")


@dataclass(frozen=True)
class Source:
    requests: Table
    history: Table
    messages: Table
    bookings: Table
    loans: Table
    vehicle_services: Table
    archived: bool


def _source(archived: bool) -> Source:
    from gmctl.db import models as m

    if archived:
        return Source(
            m.ServiceRequestArchive.__table__,
            m.StatusChangeArchive.__table__,
            m.MessageArchive.__table__,
            m.HotelBookingArchive.__table__,
            m.LoanApplicationArchive.__table__,
            m.VehicleServiceArchive.__table__,
            True,
        )
    return Source(
        m.ServiceRequest.__table__,
        m.StatusChange.__table__,
        m.Message.__table__,
        m.HotelBooking.__table__,
        m.LoanApplication.__table__,
        m.VehicleService.__table__,
        False,
    )


def request_document(session: "Session", request_id: int, *, archived: bool = False) -> dict[str, Any]:
    from gmctl.db.models import User

    src = _source(archived)
    row = session.execute(select(src.requests).where(src.requests.c.id == request_id)).mappings().first()
    if row is None:
        raise _missing(session, request_id, archived)
    users = User.__table__
    assignee = _person(session, row["assigned_to"]) if row["assigned_to"] else None
    document: dict[str, Any] = {
        "request": _request_part(row),
        "customer": _customer(session, row["user_id"]),
        "assignment": {"assignee": assignee, "assigned_at": row["assigned_at"]},
        "history": _history(session, src, users, request_id),
        "payments": _payments(session, request_id, row.get("archived_links"), archived),
        "messages": _messages(session, src, users, request_id, row.get("archived_links")),
        "files": _files(session, request_id, row.get("archived_links"), archived),
        "service_record": service_record(session, src, row),
        "service_data": row["service_data"] or {},
    }
    if archived:
        document["archived"] = {"archived_at": row["archived_at"], "links": row["archived_links"]}
    return document


def _missing(session: "Session", request_id: int, archived: bool) -> NotFound:
    if archived:
        return NotFound(
            f"no archived request {request_id}", hint=f"`gmctl requests show {request_id}` for live ones"
        )
    from gmctl.requests.locking import request_not_found

    return request_not_found(session, request_id)


REQUEST_FIELDS = (
    "id",
    "title",
    "service_type",
    "status",
    "priority",
    "urgency_level",
    "estimated_cost",
    "final_cost",
    "currency",
    "preferred_date",
    "preferred_time",
    "scheduled_date",
    "completed_at",
    "location_type",
    "location_address",
    "location_coordinates",
    "created_at",
    "updated_at",
    "description",
    "customer_notes",
    "internal_notes",
)


def _request_part(row: Any) -> dict[str, Any]:
    part = {name: row[name] for name in REQUEST_FIELDS}
    part["urgency"] = part.pop("urgency_level")
    return part


def _person(session: "Session", user_id: int | None) -> dict[str, Any] | None:
    from gmctl.db.models import User

    if user_id is None:
        return None
    user = session.execute(
        select(User.id, User.username, User.first_name, User.last_name).where(User.id == user_id)
    ).first()
    if user is None:
        return {"id": user_id, "username": None, "name": None}
    return {"id": user.id, "username": user.username, "name": _name(user.first_name, user.last_name)}


def _customer(session: "Session", user_id: int) -> dict[str, Any]:
    from gmctl.db.models import User, UserProfile

    row = session.execute(
        select(
            User.id,
            User.username,
            User.first_name,
            User.last_name,
            User.email,
            User.phone,
            User.is_active,
            UserProfile.city,
            UserProfile.state,
        )
        .outerjoin(UserProfile, UserProfile.user_id == User.id)
        .where(User.id == user_id)
    ).first()
    if row is None:  # an archived request may outlive its customer
        return {"id": user_id, "username": None}
    return {
        "id": row.id,
        "username": row.username,
        "name": _name(row.first_name, row.last_name),
        "email": row.email,
        "phone": row.phone,
        "city": row.city,
        "state": row.state,
        "active": row.is_active,
    }


def _history(session: "Session", src: Source, users: Table, request_id: int) -> list[dict[str, Any]]:
    h = src.history
    rows = session.execute(
        select(
            h.c.created_at.label("at"),
            h.c.previous_status.label("from"),
            h.c.new_status.label("to"),
            users.c.username.label("by"),
            h.c.reason,
        )
        .outerjoin(users, users.c.id == h.c.changed_by)
        .where(h.c.service_request_id == request_id)
        .order_by(h.c.created_at, h.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _payments(session: "Session", request_id: int, links: Any, archived: bool) -> list[dict[str, Any]]:
    from gmctl.db.models import Payment

    p = Payment.__table__
    columns = (
        p.c.id,
        p.c.amount,
        p.c.currency,
        p.c.payment_method.label("method"),
        p.c.gateway,
        p.c.status,
        p.c.gateway_reference.label("reference"),
        p.c.created_at,
        p.c.completed_at,
    )
    return _linked_rows(session, p, columns, _linked(p, request_id, links, "payments", archived))


def _files(session: "Session", request_id: int, links: Any, archived: bool) -> list[dict[str, Any]]:
    from gmctl.db.models import FileUpload

    f = FileUpload.__table__
    columns = (
        f.c.id,
        f.c.original_filename.label("name"),
        f.c.mime_type,
        f.c.file_size.label("size"),
        f.c.file_category.label("category"),
        f.c.virus_scan_status.label("scan"),
        f.c.created_at,
    )
    return _linked_rows(session, f, columns, _linked(f, request_id, links, "file_uploads", archived))


def _linked_rows(session: "Session", table: Table, columns: tuple[Any, ...], where: Any) -> list[dict[str, Any]]:
    """The rows of a table linked to the request, oldest first (none when nothing links them)."""
    if where is None:
        return []
    rows = session.execute(select(*columns).where(where).order_by(table.c.created_at, table.c.id))
    return [dict(r) for r in rows.mappings()]


def _linked(table: Table, request_id: int, links: Any, key: str, archived: bool) -> Any:
    """Live rows point at a live request; an archived request lists the ids it was detached from."""
    if not archived:
        return table.c.service_request_id == request_id
    ids = [int(i) for i in (links or {}).get(key, []) if str(i).isdigit()]
    return table.c.id.in_(ids) if ids else None


def _messages(
    session: "Session", src: Source, users: Table, request_id: int, links: Any
) -> list[dict[str, Any]]:
    """The thread. An archived request's messages are in the archive, except those a live message
    still replies to: they stayed live, detached, and archived_links["messages"] names them."""
    from gmctl.db.models import Message

    found = _thread(session, src.messages, users, src.messages.c.service_request_id == request_id)
    kept = _linked(Message.__table__, request_id, links, "messages", True) if src.archived else None
    if kept is not None:
        found += _thread(session, Message.__table__, users, kept)
    return sorted(found, key=lambda m: (m["at"] is None, m["at"], m["id"]))


def _thread(session: "Session", m: Table, users: Table, where: Any) -> list[dict[str, Any]]:
    sender, recipient = users.alias("sender"), users.alias("recipient")
    rows = session.execute(
        select(
            m.c.id,
            m.c.created_at.label("at"),
            sender.c.username.label("from"),
            recipient.c.username.label("to"),
            m.c.message_type.label("type"),
            m.c.subject,
            m.c.content,
            m.c.thread_id,
            m.c.is_read,
        )
        .outerjoin(sender, sender.c.id == m.c.sender_id)
        .outerjoin(recipient, recipient.c.id == m.c.recipient_id)
        .where(where)
        .order_by(m.c.created_at, m.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def service_record(session: "Session", src: Source, row: Any) -> dict[str, Any] | None:
    """The line-of-business record: vehicle(s) and their service history, hotel bookings, loans."""
    request_id = row["id"]
    bookings = _rows(session, src.bookings, request_id)
    loans = _rows(session, src.loans, request_id)
    services = _rows(session, src.vehicle_services, request_id)
    if services or row["service_type"] in VEHICLE_TYPES:
        return {
            "kind": "vehicle",
            "vehicles": _vehicles(session, services, row["service_data"] or {}, row["user_id"]),
        }
    if bookings:
        return {"kind": "hotel_booking", "hotel_bookings": bookings}
    if loans:
        return {"kind": "loan_application", "loan_applications": loans}
    return None


def _rows(session: "Session", table: Table, request_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(table).where(table.c.service_request_id == request_id).order_by(table.c.id)
    ).mappings()
    return [{k: v for k, v in r.items() if k not in ("service_request_id",)} for r in rows]


def _vehicles(
    session: "Session", services: list[dict[str, Any]], data: dict[str, Any], customer_id: int
) -> list[dict[str, Any]]:
    """The vehicle the request's service records name, else the one service_data names, else (work
    not recorded yet) the customer's active vehicles: staff need the car's history before the work."""
    from gmctl.db.models import Vehicle, VehicleService

    v, vs = Vehicle.__table__, VehicleService.__table__
    ids = sorted({s["vehicle_id"] for s in services if s.get("vehicle_id")})
    if not ids and str(data.get("vehicle_id", "")).isdigit():
        ids = [int(data["vehicle_id"])]
    which = v.c.id.in_(ids) if ids else (v.c.user_id == customer_id) & v.c.is_active.is_not(False)
    vehicles = []
    for vehicle in session.execute(select(v).where(which).order_by(v.c.id)).mappings():
        history = session.execute(
            select(
                vs.c.id,
                vs.c.service_date,
                vs.c.service_type,
                vs.c.description,
                vs.c.cost,
                vs.c.mileage_at_service,
                vs.c.service_request_id,
                vs.c.next_service_due,
            )
            .where(vs.c.vehicle_id == vehicle["id"])
            .order_by(vs.c.service_date, vs.c.id)
        ).mappings()
        vehicles.append({**dict(vehicle), "service_history": [dict(h) for h in history]})
    return vehicles


def _name(first: str | None, last: str | None) -> str | None:
    return " ".join(p for p in (first, last) if p) or None
