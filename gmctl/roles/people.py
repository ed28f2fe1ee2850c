"""Finding the person a grant is about: by username, email or id, or by part of any of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gmctl.db.models import User
from gmctl.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool

    @property
    def label(self) -> str:
        name = f" ({self.full_name})" if self.full_name else ""
        return f"{self.username}{name} <{self.email}>"


def _person(user: User) -> Person:
    full_name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Person(user.id, user.username, full_name, user.email, bool(user.is_active))


def find_person(session: Session, ref: str, *, lock: bool = False) -> Person:
    """The user named by `ref`: a username, an email (any case) or a numeric id. Erased users are gone."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("--user is empty", hint="give a username, an email or a user id")
    query = select(User).where(User.erased_at.is_(None))
    from gmctl.ids import looks_like_id, row_id

    if looks_like_id(ref):
        query = query.where(or_(User.username == ref, User.id == (row_id(ref) or 0)))
    elif "@" in ref:
        query = query.where(func.lower(User.email) == ref.lower())
    else:
        query = query.where(User.username == ref)
    if lock:
        # Serialises changes to one person's roles; NO KEY UPDATE still lets new rows reference the user.
        query = query.with_for_update(key_share=True)
    # A username that is all digits wins over the id it looks like.
    users = session.scalars(query.order_by((User.username == ref).desc())).all()
    if not users:
        raise NotFound(f"no user {ref!r}", hint="give a username, an email or a user id (`gmctl users list`)")
    return _person(users[0])


def search_people(session: Session, text: str, *, limit: int = 15) -> list[Person]:
    """Users whose username, name or email contains `text`, best matches first: for autocomplete."""
    text = text.strip()
    query = select(User).where(User.erased_at.is_(None))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        full_name = func.concat_ws(" ", User.first_name, User.last_name)
        query = query.where(or_(User.username.ilike(pattern), User.email.ilike(pattern),
                                full_name.ilike(pattern)))
        starts = User.username.ilike(pattern[1:])
        query = query.order_by(starts.desc(), User.is_active.desc(), User.username)
    else:
        query = query.order_by(User.is_active.desc(), User.username)
    return [_person(user) for user in session.scalars(query.limit(limit))]
