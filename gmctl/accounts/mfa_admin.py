"""MFA on an account, as the users group changes it: enable (own account), disable, new backup codes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from gmctl import audit
from gmctl.accounts.rules import guard_superuser_target
from gmctl.errors import InvalidInput, NotPermitted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.mfa import Enrolment
    from gmctl.auth.operator import Operator
    from gmctl.context import Env
    from gmctl.db.models import User

MANAGE_USERS = "manage_users"


def guard_own_account(operator: "Operator", user: "User", action: str) -> None:
    """The secret and the codes are shown on screen: only to their owner."""
    if operator.user_id != user.id:
        raise NotPermitted(
            f"{action} works on your own account only: it shows secrets to the person at the terminal",
            hint=f"{user.username} signs in and runs it",
        )


def check_can_enable(operator: "Operator", user: "User") -> None:
    guard_own_account(operator, user, "mfa enable")
    if user.mfa_enabled:
        raise InvalidInput(
            f"MFA is already on for {user.username}",
            hint="`gmctl users mfa backup-codes` makes new backup codes; disable first to re-enrol",
        )


def start_enabling(operator: "Operator", user: "User") -> "Enrolment":
    from gmctl.auth.mfa import begin_enrolment

    check_can_enable(operator, user)
    return begin_enrolment(user)


def finish_enabling(
    env: "Env",
    session: "Session",
    operator: "Operator",
    user: "User",
    enrolment: "Enrolment",
    code: str,
    now: datetime,
) -> list[str] | None:
    """The backup codes (to show once) when `code` confirms the enrolment; None when it does not."""
    from gmctl.auth.mfa import confirm_enrolment

    codes = confirm_enrolment(env, user, enrolment, code, now)
    if codes is not None:
        user.updated_at = now
        audit.record(
            session, operator, "users.mfa_enable", "user", user.id, {"mfa_enabled": (False, True)}, at=now
        )
    return codes


def disable(session: "Session", operator: "Operator", user: "User", now: datetime) -> None:
    from gmctl.auth.mfa import disable_mfa

    if operator.user_id != user.id:
        if not operator.can(MANAGE_USERS):
            raise NotPermitted(
                f"{operator.username} does not have the permission {MANAGE_USERS}",
                hint="turning off another person's MFA needs manage_users",
            )
        guard_superuser_target(operator, user, "turn off MFA of")
    if not user.mfa_enabled and not user.mfa_secret:
        raise InvalidInput(f"MFA is not on for {user.username}")
    disable_mfa(user)
    user.updated_at = now
    audit.record(
        session, operator, "users.mfa_disable", "user", user.id, {"mfa_enabled": (True, False)}, at=now
    )


def regenerate_codes(session: "Session", operator: "Operator", user: "User", now: datetime) -> list[str]:
    from gmctl.auth.mfa import backup_codes_left, replace_backup_codes

    guard_own_account(operator, user, "mfa backup-codes")
    if not user.mfa_enabled:
        raise InvalidInput("MFA is not on for your account", hint="run `gmctl users mfa enable` first")
    left = backup_codes_left(user)
    codes = replace_backup_codes(user)
    user.updated_at = now
    audit.record(
        session,
        operator,
        "users.mfa_backup_codes",
        "user",
        user.id,
        {"backup_codes_left": (left, len(codes))},
        at=now,
    )
    return codes
