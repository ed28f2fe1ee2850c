"""Who may change which roles: the rules every grant, revoke, permit and forbid goes through.

- Only a super_admin (an unexpired super_admin grant, or users.is_superuser) may grant or revoke admin and
  super_admin, or change what those two roles permit.
- Nobody else may hand out what they don't hold themselves: a role carrying a permission the operator
  lacks, or permitting such a permission to a role. Otherwise manage_roles would be a path to everything.
- The last active super_admin can't lose that role, by revoke or by being given an expiry.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from gmctl.db.models import Permission, Role, RoleGrant, RolePermission, User
from gmctl.errors import InvalidInput, NotPermitted

if TYPE_CHECKING:
    from gmctl.auth.operator import Operator

SUPER_ADMIN = "super_admin"
MANAGE_ROLES = "manage_roles"
PROTECTED_ROLES = frozenset({"admin", SUPER_ADMIN})


def in_force(now: datetime):  # -> a SQL condition on RoleGrant
    """A grant confers its role until expires_at, not until the sweep removes it."""
    return or_(RoleGrant.expires_at.is_(None), RoleGrant.expires_at > now)


def is_super_admin(session: Session, operator: "Operator | None", now: datetime) -> bool:
    if operator is None:
        return False
    if operator.is_superuser:
        return True
    held = (select(RoleGrant.id).join(Role, Role.id == RoleGrant.role_id)
            .where(RoleGrant.user_id == operator.user_id, Role.name == SUPER_ADMIN, in_force(now)))
    return bool(session.scalar(select(exists(held))))


def ensure_manager(operator: "Operator") -> None:
    """The CLI checks manage_roles first; the domain checks again so no other caller can skip it."""
    if not operator.can(MANAGE_ROLES):
        raise NotPermitted(f"{operator.username} does not have the permission {MANAGE_ROLES}",
                           hint=f"ask an administrator for a role that grants {MANAGE_ROLES}")


def ensure_may_assign(session: Session, operator: "Operator", roles: Iterable[Role], now: datetime,
                      verb: str) -> None:
    """Refuse (exit 4) a grant or revoke of roles the operator may not hand out or take away."""
    ensure_manager(operator)
    refusals = assignment_refusals(session, operator, roles, now, verb)
    if refusals:
        raise NotPermitted(next(iter(refusals.values())), hint="ask a super_admin to do it")


def assignment_refusals(session: Session, operator: "Operator", roles: Iterable[Role], now: datetime,
                        verb: str) -> dict[str, str]:
    """Role name -> why the operator may not `verb` (grant or revoke) it; empty when all is allowed."""
    roles = list(roles)
    if not roles or is_super_admin(session, operator, now):
        return {}
    refusals = {role.name: f"only a super_admin may {verb} {role.name}"
                for role in roles if role.name in PROTECTED_ROLES}
    if verb == "grant":
        for role in roles:
            missing = sorted(set(role_permission_names(session, role.id)) - operator.permissions)
            if missing and role.name not in refusals:
                refusals[role.name] = (f"role {role.name} carries permissions you don't hold: "
                                       f"{', '.join(missing)}")
    return refusals


def ensure_may_edit_permissions(session: Session, operator: "Operator", role: Role, permission: str,
                                now: datetime, *, adding: bool) -> None:
    ensure_manager(operator)
    if is_super_admin(session, operator, now):
        return
    if role.name in PROTECTED_ROLES:
        raise NotPermitted(f"only a super_admin may change what {role.name} permits",
                           hint="ask a super_admin to do it")
    if adding and permission not in operator.permissions:
        raise NotPermitted(f"you can't permit {permission}: you don't hold it yourself",
                           hint="only a super_admin may hand out a permission they don't hold")


def ensure_super_admin_remains(session: Session, user_id: int, now: datetime, change: str) -> None:
    """Refuse to take super_admin from the last active person holding it (call with the role row locked)."""
    others = (
        select(func.count())
        .select_from(RoleGrant)
        .join(Role, Role.id == RoleGrant.role_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(Role.name == SUPER_ADMIN, RoleGrant.user_id != user_id, in_force(now),
               User.is_active.is_(True), User.erased_at.is_(None))
    )
    if session.scalar(others) == 0:
        raise InvalidInput(f"refusing to {change}: they are the last active super_admin",
                           hint="grant super_admin to another active person first")


def role_permission_names(session: Session, role_id: int) -> list[str]:
    query = (select(Permission.name).join(RolePermission, RolePermission.permission_id == Permission.id)
             .where(RolePermission.role_id == role_id).order_by(Permission.name))
    return list(session.scalars(query))
