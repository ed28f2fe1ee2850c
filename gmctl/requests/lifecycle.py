"""Status changes: the documented state machine applied in one transaction.

A change, all or nothing in the caller's transaction:
- the request row is locked and read fresh (see `locking`), and --expect-status checked;
- the transition is checked against `states` (exit 2 listing the allowed next states);
- the request: status, updated_at, and the dates that follow from the status:
  completed_at set on completion and cleared on reopening; a request taken in progress with nobody
  on it is assigned to the operator (assigned_at set); cancelling or failing frees a future
  scheduled_date; `schedule` sets scheduled_date on a move to an open status;
- one service_status_history row (previous, new, changed_by, reason, metadata);
- one `service_update` notification to the customer (the reason is staff-internal: not copied);
- one audit entry.
The history row and the request are written together under the row lock, so the last history
row's new_status is always the request's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from gmctl.errors import InvalidInput
from gmctl.requests.locking import lock_request
from gmctl.requests.states import FINAL_STATUSES, allowed_next, plan_transition

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import ServiceRequest


@dataclass(frozen=True)
class StatusResult:
    request_id: int
    previous_status: str
    new_status: str
    changed_by: str
    changed_at: datetime
    reason: str | None
    assigned_to: int | None
    completed_at: datetime | None
    scheduled_date: datetime | None
    history_id: int
    notification_id: int


def held_from(session: "Session", request_id: int) -> str | None:
    """The status a request on hold was held from: the previous_status of its latest move to on_hold."""
    from gmctl.db.models import StatusChange

    return session.execute(
        select(StatusChange.previous_status)
        .where(StatusChange.service_request_id == request_id, StatusChange.new_status == "on_hold")
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def next_statuses(
    session: "Session", request_id: int, current: str, *, reopen: bool = False
) -> tuple[str, ...]:
    held = held_from(session, request_id) if current == "on_hold" else None
    return allowed_next(current, held_from=held, reopen=reopen)


def change_status(
    session: "Session",
    operator: Any,
    request_id: int,
    new_status: str,
    *,
    now: datetime,
    reason: str | None = None,
    expect_status: str | None = None,
    reopen: bool = False,
    schedule: datetime | None = None,
) -> StatusResult:
    from gmctl import audit

    request = lock_request(session, request_id, expect_status=expect_status)
    held = held_from(session, request_id) if request.status == "on_hold" else None
    transition = plan_transition(request.status, new_status, held_from=held, reopen=reopen)
    if schedule is not None and transition.new in FINAL_STATUSES:
        raise InvalidInput(
            f"--schedule does not apply to a move to {transition.new}",
            hint="schedule a request when confirming it or taking it in progress",
        )
    reason = (reason or "").strip() or None
    before = _snapshot(request)
    metadata = _apply(request, transition.new, operator, now, schedule)
    if reopen:
        metadata["reopened"] = True
    history_id = _record_history(session, request, transition.previous, operator, reason, metadata, now)
    notification_id = notify_customer(session, request, transition.previous, now)
    audit.record(
        session,
        operator,
        "requests.status",
        "service_request",
        request.id,
        changes=_changes(before, _snapshot(request)),
        message=reason and f"reason: {reason}",
        at=now,
    )
    return StatusResult(
        request.id,
        transition.previous,
        request.status,
        operator.username,
        now,
        reason,
        request.assigned_to,
        request.completed_at,
        request.scheduled_date,
        history_id,
        notification_id,
    )


def _apply(
    request: "ServiceRequest", new: str, operator: Any, now: datetime, schedule: datetime | None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    previous = request.status
    request.status = new
    request.updated_at = now
    if new == "completed":
        request.completed_at = now
    elif previous == "completed":
        metadata["completed_at_cleared"] = request.completed_at.isoformat() if request.completed_at else None
        request.completed_at = None
    if new == "in_progress" and request.assigned_to is None:
        request.assigned_to, request.assigned_at = operator.user_id, now
        metadata["assigned_to"] = operator.user_id
    if new in ("cancelled", "failed") and request.scheduled_date is not None and request.scheduled_date > now:
        metadata["scheduled_date_cleared"] = request.scheduled_date.isoformat()
        request.scheduled_date = None
    if schedule is not None:
        request.scheduled_date = schedule
        metadata["scheduled_date"] = schedule.isoformat()
    return metadata


def _record_history(
    session: "Session",
    request: "ServiceRequest",
    previous: str,
    operator: Any,
    reason: str | None,
    metadata: dict[str, Any],
    now: datetime,
) -> int:
    from gmctl.db.models import StatusChange

    row = StatusChange(
        service_request_id=request.id,
        previous_status=previous,
        new_status=request.status,
        changed_by=operator.user_id,
        reason=reason,
        metadata_=metadata,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


STATUS_WORDS = {
    "pending": "waiting to be confirmed",
    "confirmed": "confirmed",
    "in_progress": "in progress",
    "completed": "completed",
    "cancelled": "cancelled",
    "on_hold": "on hold",
    "failed": "could not be completed",
}


def notify_customer(session: "Session", request: "ServiceRequest", previous: str, now: datetime) -> int:
    """The customer's `service_update` notification. Internal reasons stay internal."""
    from gmctl.db.models import Notification

    note = Notification(
        user_id=request.user_id,
        type="service_update",
        title=f"Request #{request.id} is {STATUS_WORDS[request.status]}"[:255],
        message=f'Your request "{request.title}" is now {STATUS_WORDS[request.status]}.',
        action_data={
            "service_request_id": request.id,
            "previous_status": previous,
            "new_status": request.status,
        },
        delivery_methods=["in_app"],
        created_at=now,
    )
    session.add(note)
    session.flush()
    return note.id


FIELDS = ("status", "assigned_to", "assigned_at", "completed_at", "scheduled_date")


def _snapshot(request: "ServiceRequest") -> dict[str, Any]:
    return {name: getattr(request, name) for name in FIELDS}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (before[k], after[k]) for k in FIELDS if before[k] != after[k]}
