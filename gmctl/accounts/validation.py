"""The seed's rules for users, checked before the database sees them, each error naming its field."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gmctl.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The CHECK constraints of the users table, word for word (chk_email_format is ~*, so IGNORECASE).
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[1-9]\d{1,14}$")
USERNAME_MIN, USERNAME_MAX = 3, 50
EMAIL_MAX, PHONE_MAX, NAME_MAX, GENDER_MAX = 255, 20, 100, 10
# Separators people type in phone numbers; the stored form has none.
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def check_username(value: str) -> str:
    value = value.strip()
    if not USERNAME_MIN <= len(value) <= USERNAME_MAX:
        raise InvalidInput(
            f"username must be {USERNAME_MIN} to {USERNAME_MAX} characters, not {len(value)}",
            hint="choose another --username",
        )
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise InvalidInput(
            "username must not contain spaces or control characters", hint="choose another --username"
        )
    return value


def check_email(value: str) -> str:
    value = value.strip()
    if len(value) > EMAIL_MAX or not EMAIL_RE.match(value):
        raise InvalidInput(f"email {value!r} is not a valid address (name@domain.tld)", hint="fix --email")
    return value


def check_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = _PHONE_SEPARATORS.sub("", value.strip())
    if len(cleaned) > PHONE_MAX or not PHONE_RE.match(cleaned):
        raise InvalidInput(
            f"phone {value!r} is not a valid number: up to 15 digits, optional leading +, no leading 0",
            hint="fix --phone, e.g. +2348031234567",
        )
    return cleaned


def check_name(field: str, value: str | None, limit: int = NAME_MAX) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(
            f"{field} must be at most {limit} characters, not {len(value)}",
            hint=f"shorten --{field.replace('_', '-')}",
        )
    return value or None


def ensure_available(
    session: "Session", username: str | None, email: str | None, exclude_id: int | None = None
) -> None:
    """Username and email (case-insensitive, as uq_users_email_lower) must not belong to someone else."""
    from sqlalchemy import func, select

    from gmctl.db.models import User

    def taken(condition) -> bool:
        query = select(User.id).where(condition)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        return session.scalar(query.limit(1)) is not None

    if username is not None and taken(User.username == username):
        raise InvalidInput(f"username {username!r} is already taken", hint="choose another --username")
    if email is not None and taken(func.lower(User.email) == email.lower()):
        raise InvalidInput(f"email {email!r} already belongs to another account", hint="use another --email")
