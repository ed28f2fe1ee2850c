"""Finding the account a command names: by id, username or email."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gmctl.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import User


def find_user(session: "Session", ref: str, *, for_update: bool = False) -> "User":
    """The user named by `ref`: a numeric id, a username, or an email (any case)."""
    from sqlalchemy import func, select

    from gmctl.db.models import User

    from gmctl.ids import looks_like_id, row_id

    ref = ref.strip()
    if looks_like_id(ref):
        condition = User.id == (row_id(ref) or 0)  # past the id range: no user, not an error
    elif "@" in ref:
        condition = func.lower(User.email) == ref.lower()
    else:
        condition = User.username == ref
    query = select(User).where(condition)
    if for_update:
        query = query.with_for_update()
    user = session.scalars(query).first()
    if user is None:
        raise NotFound(f"no user {ref!r}", hint="`gmctl users list --search TEXT` finds accounts")
    return user
