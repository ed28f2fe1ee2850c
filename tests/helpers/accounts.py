"""Accounts for tests of any area: `make_user` builds a platform user, `sign_in` makes them the operator.

from tests.helpers.accounts import make_user, sign_in

def test_assign(env, session, cli):
    boss = make_user(session, "boss", staff=True, roles=("admin",))
    sign_in(env, session, boss)
    result = cli("requests", "assign", ...)
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from gmctl.auth.operator import Operator
from gmctl.auth.passwords import hash_password, unusable_password
from gmctl.auth.permissions import load_operator
from gmctl.context import Env
from gmctl.db.models import Role, RoleGrant, User


@functools.lru_cache(maxsize=None)
def cached_hash(password: str) -> str:
    """argon2id costs ~0.2 s a hash here; tests reuse one hash per distinct password."""
    return hash_password(password)


def make_user(
    session: Session,
    username: str,
    *,
    staff: bool = False,
    superuser: bool = False,
    roles: Iterable[str] = (),
    password: str | None = None,
    role_expires_at: datetime | None = None,
    **fields: Any,
) -> User:
    """A user with an email made from the username, holding the named roles (granted now)."""
    fields.setdefault("email", f"{username}@example.com")
    user = User(
        username=username,
        password_hash=cached_hash(password) if password is not None else unusable_password(),
        is_staff=staff,
        is_superuser=superuser,
        **fields,
    )
    session.add(user)
    session.flush()
    for name in roles:
        role_id = session.scalar(select(Role.id).where(Role.name == name))
        if role_id is None:
            raise LookupError(f"no role {name!r} in the test database")
        session.add(RoleGrant(user_id=user.id, role_id=role_id, expires_at=role_expires_at))
    session.flush()
    return user


def sign_in(env: Env, session: Session, user: User) -> Operator:
    """Make `user` the operator of the commands `env` runs, as a sign-in would."""
    env.operator = load_operator(session, user.id, env.clock())
    return env.operator
