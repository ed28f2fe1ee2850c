"""Who may change whom: guards shared by the account commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gmctl.errors import InvalidInput, NotPermitted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator
    from gmctl.db.models import User

MIN_PASSWORD_LENGTH = 10
# Django refused longer passwords before hashing (CVE-2013-1443, a denial of service through the
# hasher); argon2 does not need it, but nobody types 4,096 characters and a script's mistake should stop.
MAX_PASSWORD_LENGTH = 4096


def guard_superuser_target(operator: "Operator | None", user: "User", action: str) -> None:
    """Only a superuser may change a superuser account: otherwise manage_users would be a way up."""
    if user.is_superuser and not (operator is not None and operator.is_superuser):
        raise NotPermitted(f"only a superuser may {action} the superuser account {user.username}")


def guard_not_self(operator: "Operator | None", user: "User", action: str) -> None:
    if operator is not None and operator.user_id == user.id:
        raise InvalidInput(f"you cannot {action} your own account", hint="ask another administrator")


def guard_not_last_superuser(session: "Session", user: "User", action: str) -> None:
    if user.is_superuser and user.is_active and active_superusers(session, excluding=user.id) == 0:
        raise InvalidInput(
            f"cannot {action} {user.username}: it is the last active superuser",
            hint="make another account a superuser first",
        )


def active_superusers(session: "Session", excluding: int | None = None) -> int:
    from sqlalchemy import func, select

    from gmctl.db.models import User

    query = (
        select(func.count())
        .select_from(User)
        .where(User.is_superuser.is_(True), User.is_active.is_(True), User.erased_at.is_(None))
    )
    if excluding is not None:
        query = query.where(User.id != excluding)
    return int(session.scalar(query) or 0)


def check_new_password(password: str, user_words: tuple[str, ...] = ()) -> str:
    """Django's default validators, in short: long enough, not all digits, not the username or email;
    and text a person can type again: not only whitespace, no control characters (tab, escape,
    NUL...), valid UTF-8, at most MAX_PASSWORD_LENGTH characters. InvalidInput (exit 2) otherwise."""
    import unicodedata

    if any(unicodedata.category(c) == "Cs" for c in password):
        raise InvalidInput("the password is not valid UTF-8",
                           hint="check the encoding of what is piped to --password-stdin")
    if any(unicodedata.category(c) == "Cc" for c in password):
        raise InvalidInput("the password contains a control character (such as tab, escape or NUL)",
                           hint="use printable characters only; leave out --password-stdin to have one generated")
    if not password.strip():
        raise InvalidInput("the password is only whitespace",
                           hint="leave out --password-stdin to have a strong one generated")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password must be at most {MAX_PASSWORD_LENGTH:,} characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
            hint="leave out --password-stdin to have a strong one generated",
        )
    if password.isdigit():
        raise InvalidInput("password must not be only digits")
    lowered = password.lower()
    for word in user_words:
        if word and len(word) >= 3 and (word.lower() in lowered or lowered in word.lower()):
            raise InvalidInput("password must not contain the username or email")
    return password


def bootstrap_allowed(session: "Session") -> bool:
    """True while no active superuser exists: then `users create --superuser` needs no sign-in.

    The advisory lock makes two bootstraps at once take turns, so only the first one succeeds.
    """
    from sqlalchemy import text

    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('gmctl.bootstrap_superuser'))"))
    return active_superusers(session) == 0
