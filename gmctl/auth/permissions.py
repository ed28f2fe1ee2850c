"""Permission checks: what an operator's unexpired role grants allow, and the gate every command calls.

Every command that reads or changes business data calls `require` first. The `db` group does not:
it is gated by database privileges, because cron runs it with no person.

The rules are plain SQL on a Core Connection (a Session is accepted and its connection used), so a
read command's sign-in check costs neither sqlalchemy.orm nor gmctl.db.models at start-up (~150 ms).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmctl.auth.operator import Operator
from gmctl.errors import NotPermitted, NotSignedIn

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from gmctl.context import Env

    Database = Session | Connection

LOGIN_HINT = "sign in with `gmctl login`"

# What the user's role grants confer at :now. A grant past its expires_at confers nothing.
PERMISSIONS_SQL = """
    SELECT DISTINCT p.name
    FROM user_roles ur
    JOIN role_permissions rp ON rp.role_id = ur.role_id
    JOIN permissions p ON p.id = rp.permission_id
    WHERE ur.user_id = {user} AND (ur.expires_at IS NULL OR ur.expires_at > :now)
"""
# The columns an Operator is made of, for the users row `u` (one round trip, permissions included).
OPERATOR_COLUMNS = f"""
    u.id AS user_id, u.username, coalesce(u.is_superuser, false) AS is_superuser,
    ARRAY({PERMISSIONS_SQL.format(user="u.id")}) AS permissions
"""


def core_connection(db: "Database") -> "Connection":
    """The Connection to run Core SQL on: `db` itself, or a Session's (flushed first, so the SQL sees
    what the Session has pending: Core statements do not autoflush)."""
    from sqlalchemy.engine import Connection

    if isinstance(db, Connection):
        return db
    db.flush()
    return db.connection()


def operator_of(row: Any) -> Operator:
    """An Operator from a row carrying OPERATOR_COLUMNS."""
    return Operator(
        user_id=row.user_id,
        username=row.username,
        is_superuser=bool(row.is_superuser),
        permissions=frozenset(row.permissions or ()),
    )


def permissions_of(db: "Database", user_id: int, now: datetime) -> frozenset[str]:
    """The permission names the user's role grants confer at `now`. An expired grant confers nothing."""
    from sqlalchemy import text

    query = text(PERMISSIONS_SQL.format(user=":user_id"))
    return frozenset(core_connection(db).execute(query, {"user_id": user_id, "now": now}).scalars())


def load_operator(db: "Database", user_id: int, now: datetime) -> Operator:
    """The operator for a user id, with the permissions their unexpired grants give at `now`."""
    from sqlalchemy import text

    row = (
        core_connection(db)
        .execute(
            text(f"SELECT {OPERATOR_COLUMNS} FROM users u WHERE u.id = :user_id"),
            {"user_id": user_id, "now": now},
        )
        .first()
    )
    if row is None:
        raise NotSignedIn(f"user {user_id} does not exist", hint=LOGIN_HINT)
    return operator_of(row)


def current_operator(env: "Env", db: "Database") -> Operator:
    """env.operator when set (tests, `db seed --demo`), else the one the sign-in token names.

    The token's operator is looked up afresh on every call, not cached on env: a grant revoked or
    a session ended a moment ago takes effect at once. When `db` is the read replica the check runs
    on the primary: it records last-seen, and a replica may be a replication lag behind.
    """
    if env.operator is not None:
        return env.operator
    from gmctl.auth.sessions import operator_from_token

    if env.on_replica(db):
        with env.primary_transaction() as primary:
            return operator_from_token(env, primary)
    return operator_from_token(env, db)


def require(env: "Env", db: "Database", permission: str) -> Operator:
    """The signed-in operator, if they hold `permission`; else NotSignedIn / NotPermitted (exit 4).

    `db` is the command's Session or, for read commands, its Core Connection."""
    try:
        operator = current_operator(env, db)
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


UNATTENDED_VARIABLE = "GMCTL_UNATTENDED"


def require_or_unattended(env: "Env", db: "Database", permission: str) -> "Operator | None":
    """`require`, except that a cron job with no person may run when it opts in with GMCTL_UNATTENDED=1:
    then None (the audit entries name no actor). Only for jobs that are safe unattended (role sweep,
    loan expiry)."""
    try:
        return require(env, db, permission)
    except NotSignedIn as exc:
        if env.environ.get(UNATTENDED_VARIABLE) == "1":
            return None
        raise NotSignedIn(exc.message, hint=f"sign in with `gmctl login`, or, from cron, set "
                                            f"{UNATTENDED_VARIABLE}=1") from None
