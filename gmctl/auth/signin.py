"""`gmctl login`: check the account, the password and the second factor; count failures; lock.

`attempt_sign_in` never raises for a refused sign-in: it returns the outcome, so the command can
commit the failure count and the audit entry before it exits with code 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gmctl import audit
from gmctl.errors import NotPermitted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.sessions import StartedSession
    from gmctl.context import Env
    from gmctl.db.models import User

# A real argon2 hash of a random string: checked when the username is unknown, so the answer
# takes as long as for a real account and does not tell which usernames exist.
_DECOY_HASH = (
    "argon2$argon2id$v=19$m=102400,t=2,p=8$ZGVjb3lkZWNveWRlY295ZGVjbw$"
    "mIcC0Qy5Fh2+E0PTaFWUI8bHeSOWeE9HxnufEF0BSsQ"
)

FAILED = "wrong username, password or code"


@dataclass(frozen=True)
class SignInOutcome:
    started: "StartedSession | None" = None
    refusal: str | None = None  # why not, for the person; None on success
    hint: str | None = None
    needs_code: bool = False  # the password was right and a second factor is required

    @property
    def ok(self) -> bool:
        return self.started is not None

    def raise_if_refused(self) -> "StartedSession":
        if self.started is None:
            raise NotPermitted(self.refusal or FAILED, hint=self.hint)
        return self.started


def needs_second_factor(session: "Session", username: str, password: str) -> bool:
    """Whether to ask a person at the terminal for a code: the password is right and MFA is on.

    Read-only and counts nothing, so the prompt is never shown while the row is locked; a locked
    account gets no prompt, and the real attempt that follows refuses it.
    """
    from sqlalchemy import select

    from gmctl.auth.passwords import verify_password
    from gmctl.db.models import User

    user = session.scalars(select(User).where(User.username == username)).first()
    return bool(
        user is not None
        and user.mfa_enabled
        and user.locked_at is None
        and verify_password(password, user.password_hash)
    )


def attempt_sign_in(
    env: "Env", session: "Session", username: str, password: str, code: str | None
) -> SignInOutcome:
    from sqlalchemy import select

    from gmctl.auth.passwords import verify_password
    from gmctl.auth.settings import auth_settings
    from gmctl.db.models import User

    settings = auth_settings(env)
    user = session.scalars(select(User).where(User.username == username).with_for_update()).first()
    if user is None:
        verify_password(password, _DECOY_HASH)
        audit.record(
            session,
            None,
            "session.login_failed",
            "user",
            None,
            message="sign-in failed: unknown username",
            level="WARNING",
            at=env.clock(),
        )
        return SignInOutcome(refusal=f"sign-in failed: {FAILED}")
    if user.locked_at is not None:
        _log(env, session, user, "session.login_refused", "refused: the account is locked")
        return SignInOutcome(
            refusal=f"the account {user.username} is locked after repeated failed sign-ins",
            hint=f"an administrator can run `gmctl users unlock {user.username}`",
        )
    if not verify_password(password, user.password_hash):
        return _count_failure(env, session, user, settings.max_failed_logins)
    refusal = _refusal_for(user)
    if refusal is not None:
        _log(env, session, user, "session.login_refused", "refused: the account may not sign in")
        return SignInOutcome(refusal=refusal)
    if user.mfa_enabled:
        if not code:
            return SignInOutcome(
                refusal="this account uses two-factor sign-in",
                needs_code=True,
                hint="pass --otp CODE: a code from the authenticator app, or a backup code",
            )
        from gmctl.auth.mfa import ACCEPTED, REPLAYED, check_second_factor

        verdict = check_second_factor(env, user, code, env.clock())
        if verdict != ACCEPTED:
            why = "that code was already used: wait for the next one" if verdict == REPLAYED else None
            return _count_failure(env, session, user, settings.max_failed_logins, why)
    return _succeed(env, session, user, password, settings.rehash_on_login)


def _refusal_for(user: "User") -> str | None:
    if user.erased_at is not None or not user.is_active:
        return f"the account {user.username} is deactivated"
    if not (user.is_staff or user.is_superuser):
        return f"{user.username} is a customer account: only staff and superusers sign in to gmctl"
    return None


def _count_failure(
    env: "Env", session: "Session", user: "User", limit: int, why: str | None = None
) -> SignInOutcome:
    now = env.clock()
    why = why or FAILED
    user.failed_login_attempts = (user.failed_login_attempts or 0) + 1
    if user.failed_login_attempts >= limit:
        user.locked_at = now
        _log(
            env,
            session,
            user,
            "session.login_failed",
            f"sign-in failed; account locked after {user.failed_login_attempts} failures",
            changes={"locked_at": (None, now)},
        )
        return SignInOutcome(
            refusal=f"sign-in failed: {why}; the account is now locked",
            hint=f"an administrator can run `gmctl users unlock {user.username}`",
        )
    _log(
        env,
        session,
        user,
        "session.login_failed",
        f"sign-in failed ({user.failed_login_attempts} of {limit})",
    )
    return SignInOutcome(refusal=f"sign-in failed: {why}")


def _succeed(env: "Env", session: "Session", user: "User", password: str, rehash: bool) -> SignInOutcome:
    from gmctl.auth.passwords import hash_password, needs_rehash
    from gmctl.auth.sessions import start_session

    now = env.clock()
    changes = {"last_login": (user.last_login, now)}
    if user.failed_login_attempts:
        changes["failed_login_attempts"] = (user.failed_login_attempts, 0)
    user.failed_login_attempts = 0
    user.last_login = now
    if rehash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # same password: password_changed_at stays
    started = start_session(env, session, user)
    audit.record(session, started.operator, "session.login", "user", user.id, changes, at=now)
    return SignInOutcome(started=started)


def _log(
    env: "Env", session: "Session", user: "User", action: str, message: str, changes: dict | None = None
) -> None:
    audit.record(
        session, None, action, "user", user.id, changes, message=message, level="WARNING", at=env.clock()
    )
