"""Taking a request for a change: the row lock that keeps two staff from losing each other's work.

Every change locks the request row (SELECT ... FOR UPDATE) in the command's transaction before it
reads the values it decides on. A second person changing the same request waits for the first to
commit (at most the engine's lock_timeout, then exit 75 "busy"), then sees the first person's
result: their change applies on top of it, or is refused (an invalid transition, or
--expect-status no longer true) with the current state in the message. Nothing is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from gmctl.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import ServiceRequest


class StatusChanged(InvalidInput):
    """--expect-status no longer holds: somebody moved the request on (exit 2, nothing changed)."""


def lock_request(
    session: "Session", request_id: int, *, expect_status: str | None = None
) -> "ServiceRequest":
    """The request, locked for this transaction and read fresh; checked against --expect-status."""
    from gmctl.db.models import ServiceRequest

    request = session.execute(
        select(ServiceRequest)
        .where(ServiceRequest.id == request_id)
        .with_for_update(of=ServiceRequest)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if request is None:
        raise request_not_found(session, request_id)
    if expect_status is not None:
        from gmctl.requests.states import check_status_name

        expected = check_status_name(expect_status)
        if request.status != expected:
            raise StatusChanged(
                f"request {request_id} is {request.status} now, not {expected}: nothing was changed",
                hint=last_change_hint(session, request_id),
            )
    return request


def request_not_found(session: "Session", request_id: int) -> NotFound:
    from gmctl.db.models import ServiceRequestArchive

    archived = session.execute(
        select(ServiceRequestArchive.archived_at).where(ServiceRequestArchive.id == request_id)
    ).scalar_one_or_none()
    if archived is not None:
        return NotFound(
            f"request {request_id} was archived on {archived.date().isoformat()}",
            hint=f"`gmctl requests show --archived {request_id}` shows it; archived requests are read-only",
        )
    return NotFound(f"no request {request_id}", hint="`gmctl requests list` shows the queue")


def last_change_hint(session: "Session", request_id: int) -> str:
    """'last change: pending -> confirmed by ada at 2026-11-25T09:00' for a refusal message."""
    from gmctl.db.models import StatusChange, User

    row = session.execute(
        select(StatusChange.previous_status, StatusChange.new_status, StatusChange.created_at, User.username)
        .outerjoin(User, User.id == StatusChange.changed_by)
        .where(StatusChange.service_request_id == request_id)
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return f"`gmctl requests show {request_id}` shows its current state"
    when = row.created_at.isoformat(timespec="minutes") if isinstance(row.created_at, datetime) else "?"
    return (
        f"last change: {row.previous_status or 'new'} -> {row.new_status} by {row.username or 'system'}"
        f" at {when}; `gmctl requests show {request_id}` shows the rest"
    )
