"""Creating and changing accounts: create, update, deactivate, activate, unlock, reset-password.

Each function changes the row, writes exactly one audit entry and returns what the command shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmctl import audit
from gmctl.accounts import validation as check
from gmctl.accounts.rules import (
    check_new_password,
    guard_not_last_superuser,
    guard_not_self,
    guard_superuser_target,
)
from gmctl.errors import InvalidInput, NotFound, NotPermitted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator
    from gmctl.db.models import User


@dataclass(frozen=True)
class NewAccount:
    username: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    staff: bool = False
    superuser: bool = False
    roles: tuple[str, ...] = ()
    password: str | None = None  # None: a strong one is generated and returned once


@dataclass(frozen=True)
class AccountChanges:
    """What `users update` was asked to change; None leaves a field alone, "" clears it."""

    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    staff: bool | None = None
    superuser: bool | None = None


@dataclass(frozen=True)
class AccountResult:
    user_id: int
    username: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    generated_password: str | None = None
    sessions_ended: int = 0


def create_account(
    session: "Session", operator: "Operator | None", new: NewAccount, now: datetime
) -> AccountResult:
    from gmctl.auth.passwords import generate_password, hash_password
    from gmctl.db.models import User

    username = check.check_username(new.username)
    email = check.check_email(new.email)
    values = {
        "username": username,
        "email": email,
        "first_name": check.check_name("first_name", new.first_name),
        "last_name": check.check_name("last_name", new.last_name),
        "phone": check.check_phone(new.phone),
        "is_staff": new.staff or new.superuser,
        "is_superuser": new.superuser,
    }
    if new.superuser and operator is not None and not operator.is_superuser:
        raise NotPermitted("only a superuser may create a superuser account")
    check.ensure_available(session, username, email)
    generated = None if new.password is not None else generate_password()
    password = check_new_password(new.password, (username, email)) if new.password is not None else generated
    user = User(
        **values,
        password_hash=hash_password(password),
        is_active=True,
        failed_login_attempts=0,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    granted = grant_roles(session, operator, user, new.roles, now)
    changes = {k: (None, v) for k, v in values.items() if v not in (None, False)}
    if granted:
        changes["roles"] = (None, list(granted))
    audit.record(session, operator, "users.create", "user", user.id, changes, at=now)
    return AccountResult(user.id, user.username, changes, generated)


def grant_roles(
    session: "Session", operator: "Operator | None", user: "User", names: tuple[str, ...], now: datetime
) -> tuple[str, ...]:
    """Give a new account its roles; an operator can only hand on permissions they hold themselves."""
    from sqlalchemy import select

    from gmctl.auth.permissions import permissions_of
    from gmctl.db.models import Permission, Role, RoleGrant, RolePermission

    for name in dict.fromkeys(names):
        role = session.scalars(select(Role).where(Role.name == name)).first()
        if role is None:
            known = ", ".join(session.scalars(select(Role.name).order_by(Role.name)))
            raise NotFound(f"no role {name!r}", hint=f"roles: {known}")
        if operator is not None and not operator.is_superuser:
            carried = set(
                session.scalars(
                    select(Permission.name)
                    .join(RolePermission, RolePermission.permission_id == Permission.id)
                    .where(RolePermission.role_id == role.id)
                )
            )
            missing = carried - permissions_of(session, operator.user_id, now)
            if missing:
                raise NotPermitted(
                    f"you cannot grant the role {name}: it carries permissions you do not hold "
                    f"({', '.join(sorted(missing))})"
                )
        session.add(
            RoleGrant(
                user_id=user.id,
                role_id=role.id,
                assigned_by=operator.user_id if operator else None,
                assigned_at=now,
            )
        )
    session.flush()
    return tuple(dict.fromkeys(names))


def update_account(
    session: "Session", operator: "Operator | None", user: "User", wanted: AccountChanges, now: datetime
) -> AccountResult:
    from gmctl.auth.sessions import revoke_user_sessions

    guard_superuser_target(operator, user, "change")
    after = _checked_values(wanted)
    if not after:
        raise InvalidInput("nothing to change", hint="pass at least one option, e.g. --email or --phone")
    if "is_superuser" in after and not (operator is not None and operator.is_superuser):
        raise NotPermitted("only a superuser may grant or remove superuser status")
    if after.get("is_superuser") is False or after.get("is_staff") is False:
        guard_not_self(operator, user, "remove staff or superuser status from")
        guard_not_last_superuser(session, user, "demote")
    check.ensure_available(session, after.get("username"), after.get("email"), exclude_id=user.id)
    before = {k: getattr(user, k) for k in after}
    changes = audit.diff(before, after)
    if not changes:
        raise InvalidInput(f"{user.username} already has those values", hint="nothing was changed")
    for key, (_old, new) in changes.items():
        setattr(user, key, new)
    user.updated_at = now
    ended = 0
    if not (user.is_staff or user.is_superuser):
        ended = revoke_user_sessions(session, user.id, now)  # a customer may not stay signed in
    audit.record(session, operator, "users.update", "user", user.id, changes, at=now)
    return AccountResult(user.id, user.username, changes, sessions_ended=ended)


def _checked_values(wanted: AccountChanges) -> dict[str, Any]:
    after: dict[str, Any] = {}
    if wanted.username is not None:
        after["username"] = check.check_username(wanted.username)
    if wanted.email is not None:
        after["email"] = check.check_email(wanted.email)
    for name in ("first_name", "last_name"):
        value = getattr(wanted, name)
        if value is not None:
            after[name] = check.check_name(name, value)
    if wanted.phone is not None:
        after["phone"] = check.check_phone(wanted.phone)
    if wanted.staff is not None:
        after["is_staff"] = wanted.staff
    if wanted.superuser is not None:
        after["is_superuser"] = wanted.superuser
    return after


def deactivate(session: "Session", operator: "Operator | None", user: "User", now: datetime) -> AccountResult:
    from gmctl.auth.sessions import revoke_user_sessions

    guard_superuser_target(operator, user, "deactivate")
    guard_not_self(operator, user, "deactivate")
    guard_not_last_superuser(session, user, "deactivate")
    _refuse_erased(user)
    if not user.is_active:
        raise InvalidInput(f"{user.username} is already inactive")
    user.is_active, user.updated_at = False, now
    ended = revoke_user_sessions(session, user.id, now)
    changes = {"is_active": (True, False)}
    audit.record(session, operator, "users.deactivate", "user", user.id, changes, at=now)
    return AccountResult(user.id, user.username, changes, sessions_ended=ended)


def activate(session: "Session", operator: "Operator | None", user: "User", now: datetime) -> AccountResult:
    guard_superuser_target(operator, user, "activate")
    _refuse_erased(user)
    if user.is_active:
        raise InvalidInput(f"{user.username} is already active")
    user.is_active, user.updated_at = True, now
    changes = {"is_active": (False, True)}
    audit.record(session, operator, "users.activate", "user", user.id, changes, at=now)
    return AccountResult(user.id, user.username, changes)


def unlock(session: "Session", operator: "Operator | None", user: "User", now: datetime) -> AccountResult:
    guard_superuser_target(operator, user, "unlock")
    if user.locked_at is None and not user.failed_login_attempts:
        raise InvalidInput(f"{user.username} is not locked")
    changes = {"locked_at": (user.locked_at, None), "failed_login_attempts": (user.failed_login_attempts, 0)}
    user.locked_at, user.failed_login_attempts, user.updated_at = None, 0, now
    audit.record(session, operator, "users.unlock", "user", user.id, changes, at=now)
    return AccountResult(user.id, user.username, changes)


def reset_password(
    session: "Session", operator: "Operator | None", user: "User", password: str | None, now: datetime
) -> AccountResult:
    """A new password (generated unless given), and every session of the account ended."""
    from gmctl.auth.passwords import generate_password, hash_password
    from gmctl.auth.sessions import revoke_user_sessions

    guard_superuser_target(operator, user, "reset the password of")
    _refuse_erased(user)
    generated = None if password is not None else generate_password()
    chosen = check_new_password(password, (user.username, user.email)) if password is not None else generated
    user.password_hash = hash_password(chosen)
    changes = {"password_changed_at": (user.password_changed_at, now)}
    user.password_changed_at, user.updated_at = now, now
    ended = revoke_user_sessions(session, user.id, now)
    audit.record(session, operator, "users.reset_password", "user", user.id, changes, at=now)
    return AccountResult(user.id, user.username, changes, generated, ended)


def _refuse_erased(user: "User") -> None:
    if user.erased_at is not None:
        raise InvalidInput(f"user {user.id} was erased; an erased account cannot be used again")
