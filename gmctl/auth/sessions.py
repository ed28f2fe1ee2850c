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

    from gmctl.context import Env
    from gmctl.db.models import OperatorSession, User

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


def active_session(env: "Env", session: "Session") -> tuple["OperatorSession", "User"]:
    """The live session this home's token names, or NotSignedIn saying why not."""
    from sqlalchemy import select

    from gmctl.db.models import OperatorSession, User

    token = read_token(env)
    if token is None:
        raise _not_signed_in("not signed in")
    found = session.execute(
        select(OperatorSession, User)
        .join(User, User.id == OperatorSession.user_id)
        .where(OperatorSession.token_hash == hash_token(token))
    ).first()
    if found is None:
        raise _not_signed_in("not signed in to this database")
    row, user = found
    now = env.clock()
    if row.revoked_at is not None:
        raise _not_signed_in("your session was ended (logout, deactivation or a password reset)")
    if row.expires_at <= now:
        raise _not_signed_in(f"your session expired at {row.expires_at.isoformat(timespec='minutes')}")
    if not user.is_active or user.erased_at is not None or not (user.is_staff or user.is_superuser):
        raise _not_signed_in(f"the account {user.username} may no longer sign in")
    return row, user


def operator_from_token(env: "Env", session: "Session") -> Operator:
    from gmctl.auth.permissions import load_operator

    row, user = active_session(env, session)
    now = env.clock()
    row.last_seen_at = now
    return load_operator(session, user.id, now)


def describe_session(env: "Env", session: "Session") -> SessionInfo:
    row, user = active_session(env, session)
    from gmctl.auth.permissions import load_operator

    return SessionInfo(load_operator(session, user.id, env.clock()), row.created_at, row.expires_at)


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
