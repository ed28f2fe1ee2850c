"""The life of a loan application: which status may follow which. Pure rules, no database.

    submitted    -> under_review, withdrawn, expired
    under_review -> approved, rejected, withdrawn, expired
    approved, rejected, withdrawn, expired: final

A refused move is InvalidTransition (exit 2) and changes nothing. Each move also moves the linked
service request (REQUEST_STATUS_FOR) so the two agree, as the demo data already pairs them.
"""

from __future__ import annotations

from gmctl.errors import InvalidInput

STATUSES = ("submitted", "under_review", "approved", "rejected", "withdrawn", "expired")
OPEN_STATUSES = ("submitted", "under_review")
CLOSED_STATUSES = ("approved", "rejected", "withdrawn", "expired")
STATUS_GROUPS = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES, "all": STATUSES}

NEXT: dict[str, tuple[str, ...]] = {
    "submitted": ("under_review", "withdrawn", "expired"),
    "under_review": ("approved", "rejected", "withdrawn", "expired"),
    "approved": (),
    "rejected": (),
    "withdrawn": (),
    "expired": (),
}
# The service request's status that goes with the application's (requests' own lifecycle words).
REQUEST_STATUS_FOR = {
    "under_review": "in_progress",
    "approved": "completed",
    "rejected": "failed",
    "withdrawn": "cancelled",
    "expired": "cancelled",
}
VERBS = {"under_review": "review", "approved": "approve", "rejected": "reject", "withdrawn": "withdraw",
         "expired": "expire"}


class InvalidTransition(InvalidInput):
    """A move the state machine does not allow (exit 2); `allowed` lists the moves that are."""

    def __init__(self, message: str, *, allowed: tuple[str, ...], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.allowed = allowed


def check_status_name(status: str) -> str:
    word = status.strip().lower().replace("-", "_")
    if word not in STATUSES:
        raise InvalidInput(f"unknown loan status {status!r}",
                           hint=f"statuses: {', '.join(STATUSES)}, or open, closed, all")
    return word


def check_transition(application_id: int, current: str, new: str) -> None:
    """Nothing if current -> new is allowed, else InvalidTransition naming what is."""
    allowed = NEXT.get(current, ())
    if new in allowed:
        return
    verb = VERBS.get(new, new)
    if current == new:
        message = f"application {application_id} is already {current}"
    else:
        message = f"cannot {verb} application {application_id}: it is {current}"
    if allowed:
        hint = f"from {current} it can go to: {', '.join(allowed)}"
    else:
        hint = f"{current} is final; nothing more can be decided on it"
    if new == "approved" and current == "submitted":
        hint = f"take it into review first: `gmctl loans review {application_id}`"
    raise InvalidTransition(message, allowed=allowed, hint=hint)
