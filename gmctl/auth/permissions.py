"""Permission checks: what an operator's unexpired role grants allow, and the gate every command calls.

Every command that reads or changes business data calls `require` first. The `db` group does not:
it is gated by database privileges, because cron runs it with no person.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from gmctl.auth.operator import Operator
from gmctl.errors import NotPermitted, NotSignedIn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.context import Env

LOGIN_HINT = "sign in with `gmctl login`"


def permissions_of(session: "Session", user_id: int, now: datetime) -> frozenset[str]:
    """The permission names the user's role grants confer at `now`. An expired grant confers nothing."""
    from sqlalchemy import or_, select

    from gmctl.db.models import Permission, RoleGrant, RolePermission

    query = (
        select(Permission.name)
        .distinct()
        .join(RolePermission, RolePermission.permission_id == Permission.id)
        .join(RoleGrant, RoleGrant.role_id == RolePermission.role_id)
        .where(RoleGrant.user_id == user_id, or_(RoleGrant.expires_at.is_(None), RoleGrant.expires_at > now))
    )
    return frozenset(session.scalars(query))


def load_operator(session: "Session", user_id: int, now: datetime) -> Operator:
    """The operator for a user id, with the permissions their unexpired grants give at `now`."""
    from gmctl.db.models import User

    user = session.get(User, user_id)
    if user is None:
        raise NotSignedIn(f"user {user_id} does not exist", hint=LOGIN_HINT)
    return Operator(
        user_id=user.id,
        username=user.username,
        is_superuser=bool(user.is_superuser),
        permissions=permissions_of(session, user.id, now),
    )


def current_operator(env: "Env", session: "Session") -> Operator:
    """env.operator when set (tests, `db seed --demo`), else the one the sign-in token names.

    The token's operator is looked up afresh on every call, not cached on env: a grant revoked or
    a session ended a moment ago takes effect at once.
    """
    if env.operator is not None:
        return env.operator
    from gmctl.auth.sessions import operator_from_token

    return operator_from_token(env, session)


def require(env: "Env", session: "Session", permission: str) -> Operator:
    """The signed-in operator, if they hold `permission`; else NotSignedIn / NotPermitted (exit 4)."""
    try:
        operator = current_operator(env, session)
    except NotSignedIn as exc:
        raise NotSignedIn(
            f"{exc.message}; this command needs the permission {permission}", hint=exc.hint or LOGIN_HINT
        ) from None
    if not operator.can(permission):
        raise NotPermitted(
            f"{operator.username} does not have the permission {permission}",
            hint=f"ask an administrator for a role that grants {permission} (`gmctl roles` manages them)",
        )
    return operator
