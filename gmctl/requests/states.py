"""The lifecycle of a service request: which status may follow which. Pure rules, no database.

    pending     -> confirmed, cancelled, on_hold
    confirmed   -> in_progress, cancelled, on_hold
    in_progress -> completed, failed, on_hold
    on_hold     -> the status it was held from, or cancelled
    completed, cancelled, failed: final; with --reopen (permission reopen_services)
                -> pending, confirmed or in_progress

"The status it was held from" is the previous_status of the history row that put the request on
hold. A request whose history does not say (rows loaded before gmctl kept history) may resume to
pending, confirmed or in_progress: refusing every resumption would strand it on hold for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from gmctl.errors import InvalidInput

STATUSES = ("pending", "confirmed", "in_progress", "completed", "cancelled", "on_hold", "failed")
OPEN_STATUSES = ("pending", "confirmed", "in_progress", "on_hold")
FINAL_STATUSES = ("completed", "cancelled", "failed")
RESUMABLE = ("pending", "confirmed", "in_progress")
REOPEN_TARGETS = RESUMABLE

FORWARD: dict[str, tuple[str, ...]] = {
    "pending": ("confirmed", "cancelled", "on_hold"),
    "confirmed": ("in_progress", "cancelled", "on_hold"),
    "in_progress": ("completed", "failed", "on_hold"),
    "on_hold": ("cancelled",),  # plus the status it was held from
    "completed": (),
    "cancelled": (),
    "failed": (),
}


class InvalidTransition(InvalidInput):
    """A status change the lifecycle does not allow (exit 2). Carries the allowed next states."""

    def __init__(self, message: str, *, allowed: tuple[str, ...], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.allowed = allowed


@dataclass(frozen=True)
class Transition:
    previous: str
    new: str
    reopen: bool = False

    @property
    def completes(self) -> bool:
        return self.new == "completed"

    @property
    def leaves_completed(self) -> bool:
        return self.previous == "completed"


def check_status_name(status: str) -> str:
    value = status.strip().lower().replace("-", "_")
    if value not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", hint=f"statuses: {', '.join(STATUSES)}")
    return value


def allowed_next(current: str, *, held_from: str | None = None, reopen: bool = False) -> tuple[str, ...]:
    """The statuses a request in `current` may move to."""
    if current in FINAL_STATUSES:
        return REOPEN_TARGETS if reopen else ()
    if current == "on_hold":
        resume = (held_from,) if held_from in RESUMABLE else RESUMABLE
        return (*resume, *FORWARD["on_hold"])
    return FORWARD[current]


def plan_transition(
    current: str, new: str, *, held_from: str | None = None, reopen: bool = False
) -> Transition:
    """The transition current -> new, or InvalidTransition naming what is allowed instead."""
    new = check_status_name(new)
    if reopen and current not in FINAL_STATUSES:
        raise InvalidTransition(
            f"--reopen is for completed, cancelled or failed requests; this one is {current}",
            allowed=allowed_next(current, held_from=held_from),
            hint="leave out --reopen",
        )
    allowed = allowed_next(current, held_from=held_from, reopen=reopen)
    if new in allowed:
        return Transition(current, new, reopen=reopen)
    if new == current:
        message = f"the request is already {current}"
    else:
        message = f"cannot move a request from {current} to {new}"
    raise InvalidTransition(message, allowed=allowed, hint=_allowed_hint(current, allowed))


def _allowed_hint(current: str, allowed: tuple[str, ...]) -> str:
    if allowed:
        return f"allowed next from {current}: {', '.join(allowed)}"
    return (
        f"{current} is final; to reopen it pass --reopen with pending, confirmed or in_progress "
        "(needs the reopen_services permission)"
    )
