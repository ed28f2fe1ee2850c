"""The status histories the seeds write: every path follows the request lifecycle (gmctl.requests.states).

A request's history starts with (None -> pending) when it was created, and its last row's
new_status is the request's status. Each final status has a few ways of getting there, so the
history of seeded data looks like what the staff queue really produces.
"""

from __future__ import annotations

# status -> the alternative paths from creation to that status (each starts with "pending").
PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "pending": (("pending",),),
    "confirmed": (("pending", "confirmed"),),
    "in_progress": (
        ("pending", "confirmed", "in_progress"),
        ("pending", "confirmed", "on_hold", "confirmed", "in_progress"),
    ),
    "completed": (
        ("pending", "confirmed", "in_progress", "completed"),
        ("pending", "confirmed", "in_progress", "on_hold", "in_progress", "completed"),
    ),
    "cancelled": (
        ("pending", "cancelled"),
        ("pending", "confirmed", "cancelled"),
        ("pending", "on_hold", "cancelled"),
    ),
    "on_hold": (
        ("pending", "confirmed", "on_hold"),
        ("pending", "confirmed", "in_progress", "on_hold"),
    ),
    "failed": (("pending", "confirmed", "in_progress", "failed"),),
}

def transitions(path: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """(previous_status, new_status) pairs of a path, the first being the creation (None -> pending)."""
    return list(zip((None, *path[:-1]), path))


def needs_assignee(path: tuple[str, ...]) -> bool:
    """Work that has started has somebody on it; a confirmed request may still wait for one."""
    return "in_progress" in path
