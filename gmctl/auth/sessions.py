"""Sign-in sessions: a random token in GMCTL_HOME (mode 0600), its SHA-256 and expiry in the database.

A session ends at its expiry, at `gmctl logout`, when the account is deactivated or erased, and when
its password is reset. The token file holds nothing but the token; it is useless without the
database row, and the row is useless without the file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from gmctl.auth.operator import Operator
from gmctl.errors import NotSignedIn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.permissions import Database
    from gmctl.context import Env
    from gmctl.db.models import User

TOKEN_FILENAME = "session.token"


@dataclass(frozen=True)
class StartedSession:
    operator: Operator
    expires_at: datetime
    token_path: Path


@dataclass(frozen=True)
class SessionInfo:
    operator: Operator
    created_at: datetime
    expires_at: datetime


def _not_signed_in(reason: str) -> NotSignedIn:
    return NotSignedIn(reason, hint="sign in with `gmctl login`")


def token_path(env: "Env") -> Path:
    return env.gmctl_home / TOKEN_FILENAME


def hash_token(token: str) -> str:
    # The token is 256 random bits: a plain SHA-256 is enough, no salt or slow hash needed.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start_session(env: "Env", session: "Session", user: "User") -> StartedSession:
    """Sign `user` in on this GMCTL_HOME: a new token file and its row; the previous token is revoked.

    env.operator is left alone: later commands find the operator through the token.
    """
    from gmctl.auth.permissions import load_operator
    from gmctl.auth.settings import auth_settings
    from gmctl.db.models import OperatorSession

    now = env.clock()
    revoke_this_home(env, session)
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=auth_settings(env).session_hours)
    session.add(
        OperatorSession(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=expires_at,
            last_seen_at=now,
        )
    )
    session.flush()
    path = write_token(env, token)
    return StartedSession(load_operator(session, user.id, now), expires_at, path)


def write_token(env: "Env", token: str) -> Path:
    """Write the token where only this OS user can read it: 0700 home, 0600 file, atomic replace."""
    path = token_path(env)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{TOKEN_FILENAME}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (token + "\n").encode("ascii"))
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return path


def read_token(env: "Env") -> str | None:
    path = token_path(env)
    try:
        token = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return token or None


@dataclass(frozen=True)
class LiveSession:
    """A sign-in that is still good: not revoked, not expired, its account still allowed in."""

    session_id: int
    operator: Operator
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None


# A live session is recorded as seen at most once a minute: writing on every command would turn
# every read command into a write and a WAL flush at commit, and nothing needs finer than that.
TOUCH_EVERY = timedelta(minutes=1)


def _session_by_token_sql() -> str:
    from gmctl.auth.permissions import OPERATOR_COLUMNS

    return f"""
        SELECT s.id AS session_id, s.created_at, s.expires_at, s.revoked_at, s.last_seen_at,
               u.is_active, u.is_staff, u.erased_at, {OPERATOR_COLUMNS}
        FROM operator_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = :token_hash
    """


def active_session(env: "Env", db: "Database") -> LiveSession:
    """The live session this home's token names, with its operator, or NotSignedIn saying why not.

    One query (session, account and permissions); `db` is a Session or a Core Connection."""
    from sqlalchemy import text

    from gmctl.auth.permissions import core_connection, operator_of

    token = read_token(env)
    if token is None:
        raise _not_signed_in("not signed in")
    now = env.clock()
    row = (
        core_connection(db)
        .execute(text(_session_by_token_sql()), {"token_hash": hash_token(token), "now": now})
        .first()
    )
    if row is None:
        raise _not_signed_in("not signed in to this database")
    if row.revoked_at is not None:
        raise _not_signed_in("your session was ended (logout, deactivation or a password reset)")
    if row.expires_at <= now:
        raise _not_signed_in(f"your session expired at {row.expires_at.isoformat(timespec='minutes')}")
    if not row.is_active or row.erased_at is not None or not (row.is_staff or row.is_superuser):
        raise _not_signed_in(f"the account {row.username} may no longer sign in")
    return LiveSession(row.session_id, operator_of(row), row.created_at, row.expires_at, row.last_seen_at)


def touch_session(db: "Database", live: LiveSession, now: datetime) -> bool:
    """Record that the session was used now, unless that was recorded less than TOUCH_EVERY ago.

    Runs in the command's transaction: no commit of its own. True if the row was written."""
    if live.last_seen_at is not None and now - live.last_seen_at < TOUCH_EVERY:
        return False
    from sqlalchemy import text

    from gmctl.auth.permissions import core_connection

    core_connection(db).execute(
        text("UPDATE operator_sessions SET last_seen_at = :now WHERE id = :id"),
        {"now": now, "id": live.session_id},
    )
    return True


def operator_from_token(env: "Env", db: "Database") -> Operator:
    live = active_session(env, db)
    touch_session(db, live, env.clock())
    return live.operator


def describe_session(env: "Env", db: "Database") -> SessionInfo:
    live = active_session(env, db)
    return SessionInfo(live.operator, live.created_at, live.expires_at)


def revoke_this_home(env: "Env", session: "Session") -> bool:
    """Revoke the session of this home's token, if it has a live one. The file stays to the caller."""
    from sqlalchemy import update

    from gmctl.db.models import OperatorSession

    token = read_token(env)
    if token is None:
        return False
    result = session.execute(
        update(OperatorSession)
        .where(OperatorSession.token_hash == hash_token(token), OperatorSession.revoked_at.is_(None))
        .values(revoked_at=env.clock())
        .returning(OperatorSession.id)
    )
    return bool(result.all())


def end_session(env: "Env", session: "Session") -> bool:
    """Logout: revoke this home's session and delete its token file. True if a live session ended."""
    ended = revoke_this_home(env, session)
    token_path(env).unlink(missing_ok=True)
    return ended


def revoke_user_sessions(session: "Session", user_id: int, now: datetime) -> int:
    """End every live session of a user (deactivation, password reset). Returns how many ended."""
    from sqlalchemy import update

    from gmctl.db.models import OperatorSession

    result = session.execute(
        update(OperatorSession)
        .where(OperatorSession.user_id == user_id, OperatorSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(OperatorSession.id)
    )
    return len(result.all())
