"""Who works on a request: assigning it to active staff, taking it back, and who has room.

Assigning to the person already assigned, or unassigning a request nobody has, changes nothing
and writes nothing (no audit entry): scripts can repeat themselves safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from gmctl.errors import InvalidInput
from gmctl.requests.columns import OPEN_SQL
from gmctl.requests.locking import lock_request
from gmctl.requests.people import Person, find_person, require_active_staff
from gmctl.requests.states import FINAL_STATUSES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class AssignResult:
    request_id: int
    status: str
    previous_assignee: str | None
    assignee: str | None
    assigned_at: datetime | None
    changed: bool


@dataclass(frozen=True)
class StaffLoad:
    user_id: int
    username: str
    name: str
    open_requests: int


def resolve_assignee(session: "Session", who: str, operator: Any) -> Person:
    """`me` or a username / email / id, which must be active staff."""
    if who.strip().lower() == "me":
        who = str(operator.user_id)
    return require_active_staff(find_person(session, who, role="assignee"))


def assign(
    session: "Session",
    operator: Any,
    request_id: int,
    who: str,
    *,
    now: datetime,
    expect_status: str | None = None,
) -> AssignResult:
    from gmctl import audit

    request = lock_request(session, request_id, expect_status=expect_status)
    _refuse_final(request.status, request_id)
    person = resolve_assignee(session, who, operator)
    previous = _username(session, request.assigned_to)
    if request.assigned_to == person.id:
        return AssignResult(request_id, request.status, previous, person.username, request.assigned_at, False)
    before = (request.assigned_to, request.assigned_at)
    request.assigned_to, request.assigned_at, request.updated_at = person.id, now, now
    audit.record(
        session,
        operator,
        "requests.assign",
        "service_request",
        request_id,
        changes={"assigned_to": (before[0], person.id), "assigned_at": (before[1], now)},
        message=f"{operator.username}: assigned request {request_id} to {person.username}",
        at=now,
    )
    return AssignResult(request_id, request.status, previous, person.username, now, True)


def unassign(
    session: "Session", operator: Any, request_id: int, *, now: datetime, expect_status: str | None = None
) -> AssignResult:
    from gmctl import audit

    request = lock_request(session, request_id, expect_status=expect_status)
    _refuse_final(request.status, request_id)
    previous = _username(session, request.assigned_to)
    if request.assigned_to is None:
        return AssignResult(request_id, request.status, None, None, None, False)
    before = (request.assigned_to, request.assigned_at)
    request.assigned_to, request.assigned_at, request.updated_at = None, None, now
    audit.record(
        session,
        operator,
        "requests.unassign",
        "service_request",
        request_id,
        changes={"assigned_to": (before[0], None), "assigned_at": (before[1], None)},
        at=now,
    )
    return AssignResult(request_id, request.status, previous, None, None, True)


def staff_by_workload(session: "Session") -> list[StaffLoad]:
    """Active staff, the least loaded first: the choices offered when assigning at a terminal."""
    from gmctl.db.models import ServiceRequest, User

    load = (
        select(ServiceRequest.assigned_to, func.count().label("n"))
        .where(text(f"service_requests.{OPEN_SQL}"), ServiceRequest.assigned_to.is_not(None))
        .group_by(ServiceRequest.assigned_to)
        .subquery()
    )
    rows = session.execute(
        select(User.id, User.username, User.first_name, User.last_name, func.coalesce(load.c.n, 0).label("n"))
        .outerjoin(load, load.c.assigned_to == User.id)
        .where(User.is_active.is_(True), User.is_staff.is_(True), User.erased_at.is_(None))
        .order_by(text("n"), User.username)
    ).all()
    return [
        StaffLoad(r.id, r.username, " ".join(p for p in (r.first_name, r.last_name) if p), r.n) for r in rows
    ]


def _refuse_final(status: str, request_id: int) -> None:
    if status in FINAL_STATUSES:
        raise InvalidInput(
            f"request {request_id} is {status}: its assignment is part of the record",
            hint="reopen it first (`gmctl requests status ID pending --reopen`)",
        )


def _username(session: "Session", user_id: int | None) -> str | None:
    if user_id is None:
        return None
    from gmctl.db.models import User

    return session.execute(select(User.username).where(User.id == user_id)).scalar_one_or_none()
