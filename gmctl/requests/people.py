"""Finding the people a triage command names: a customer, an assignee, `me` or `none`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from gmctl.errors import InvalidInput, NotFound
from gmctl.ids import row_id
from gmctl.requests.columns import users


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    is_active: bool
    is_staff: bool


def find_person(session: Any, who: str, *, role: str = "user") -> Person:
    """A user by id, username or email (any case). NotFound (exit 3) names what was looked for."""
    text = who.strip()
    if not text:
        raise InvalidInput(f"the {role} is empty", hint="give a username, an email or a user id")
    conditions = [users.c.username == text, func.lower(users.c.email) == text.lower()]
    number = row_id(text)
    if number is not None:
        conditions.append(users.c.id == number)
    row = session.execute(
        select(users.c.id, users.c.username, users.c.is_active, users.c.is_staff)
        .where(or_(*conditions))
        # An id match wins over a username that happens to be all digits.
        .order_by((users.c.id == number).desc() if number is not None else users.c.id)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"no {role} {who!r}", hint="give a username, an email or a user id")
    return Person(row.id, row.username, bool(row.is_active), bool(row.is_staff))


def require_active_staff(person: Person) -> Person:
    if not person.is_active:
        raise InvalidInput(f"{person.username} is not active", hint="assign the request to active staff")
    if not person.is_staff:
        raise InvalidInput(f"{person.username} is not staff", hint="assign the request to a staff member")
    return person
