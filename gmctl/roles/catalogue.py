"""The roles and permissions themselves: what exists, who holds what, and changes to the catalogue.

Role names follow the seed's rule (`^[a-z_]+$`, at most 50 characters), checked here so a person gets a
message rather than a constraint violation. System roles can't be deleted or renamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from gmctl.audit import record
from gmctl.db.models import Permission, Role, RoleGrant, RolePermission, User
from gmctl.errors import InvalidInput, NotFound
from gmctl.roles.authority import ensure_manager, ensure_may_edit_permissions, in_force, role_permission_names

if TYPE_CHECKING:
    from gmctl.auth.operator import Operator

ROLE_NAME = re.compile(r"^[a-z_]+$")
ROLE_NAME_MAX = 50
DISPLAY_NAME_MAX = 100


@dataclass(frozen=True)
class RoleSummary:
    name: str
    display_name: str
    system: bool
    members: int  # grants in force now
    expired: int  # grants past expires_at that the sweep has not removed yet
    permissions: int


@dataclass(frozen=True)
class Membership:
    username: str
    name: str
    assigned_at: datetime | None
    assigned_by: str | None
    expires_at: datetime | None
    state: str  # active | expired


@dataclass(frozen=True)
class RoleDetail:
    name: str
    display_name: str
    description: str | None
    system: bool
    permissions: list[str] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)


@dataclass(frozen=True)
class PermissionInfo:
    name: str
    resource: str
    action: str
    description: str | None
    roles: str  # the roles that permit it, comma-separated


@dataclass(frozen=True)
class Matrix:
    roles: list[str]
    rows: list[dict[str, object]]  # {"permission": name, <role>: bool, ...}


@dataclass(frozen=True)
class CatalogueChange:
    role: str
    changed: bool
    message: str


# -- reading -------------------------------------------------------------------------------------------
def get_role(session: Session, name: str, *, lock: bool = False) -> Role:
    query = select(Role).where(Role.name == name)
    if lock:
        query = query.with_for_update()
    role = session.scalar(query)
    if role is None:
        raise NotFound(f"no role {name!r}", hint="`gmctl roles list` shows the roles")
    return role


def get_permission(session: Session, name: str) -> Permission:
    permission = session.scalar(select(Permission).where(Permission.name == name))
    if permission is None:
        raise NotFound(f"no permission {name!r}", hint="`gmctl roles permissions` lists them")
    return permission


def list_roles(session: Session, now: datetime) -> list[RoleSummary]:
    def grants(*conditions: object):  # noqa: ANN202 - a scalar subquery
        return (select(func.count()).select_from(RoleGrant)
                .where(RoleGrant.role_id == Role.id, *conditions).scalar_subquery())

    permissions = (select(func.count()).select_from(RolePermission)
                   .where(RolePermission.role_id == Role.id).scalar_subquery())
    query = select(Role.name, Role.display_name, Role.is_system_role, grants(in_force(now)),
                   grants(~in_force(now)), permissions).order_by(Role.is_system_role.desc(), Role.id)
    return [RoleSummary(name, display, bool(system), members, expired, count)
            for name, display, system, members, expired, count in session.execute(query)]


def show_role(session: Session, name: str, now: datetime) -> RoleDetail:
    role = get_role(session, name)
    assigner = aliased(User)
    query = (
        select(User.username, User.first_name, User.last_name, RoleGrant.assigned_at, assigner.username,
               RoleGrant.expires_at)
        .join(User, User.id == RoleGrant.user_id)
        .outerjoin(assigner, assigner.id == RoleGrant.assigned_by)
        .where(RoleGrant.role_id == role.id)
        .order_by(User.username)
    )
    members = [
        Membership(username, " ".join(p for p in (first, last) if p), assigned_at, by, expires_at,
                   "active" if expires_at is None or expires_at > now else "expired")
        for username, first, last, assigned_at, by, expires_at in session.execute(query)
    ]
    return RoleDetail(role.name, role.display_name, role.description, bool(role.is_system_role),
                      role_permission_names(session, role.id), members)


def list_permissions(session: Session) -> list[PermissionInfo]:
    holders = (select(func.string_agg(Role.name, aggregate_order_by(literal(", "), Role.id)))
               .join(RolePermission, RolePermission.role_id == Role.id)
               .where(RolePermission.permission_id == Permission.id).scalar_subquery())
    query = select(Permission.name, Permission.resource, Permission.action, Permission.description,
                   func.coalesce(holders, "")).order_by(Permission.resource, Permission.name)
    return [PermissionInfo(*row) for row in session.execute(query)]


def permission_matrix(session: Session) -> Matrix:
    roles = list(session.execute(select(Role.id, Role.name).order_by(Role.is_system_role.desc(), Role.id)))
    links = select(RolePermission.role_id, RolePermission.permission_id)
    pairs = {(role_id, permission_id) for role_id, permission_id in session.execute(links)}
    permissions = session.execute(select(Permission.id, Permission.name)
                                  .order_by(Permission.resource, Permission.name))
    rows = [{"permission": perm_name,
             **{role_name: (role_id, perm_id) in pairs for role_id, role_name in roles}}
            for perm_id, perm_name in permissions]
    return Matrix([name for _id, name in roles], rows)


# -- changing --------------------------------------------------------------------------------------------
def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name) or len(name) > ROLE_NAME_MAX:
        raise InvalidInput(f"role name {name!r} is not allowed",
                           hint=f"use lower-case letters and underscores only, at most {ROLE_NAME_MAX} "
                                "characters (e.g. field_agent)")
    return name


def _check_display_name(display_name: str) -> str:
    display_name = display_name.strip()
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        raise InvalidInput("--display-name must be 1 to 100 characters",
                           hint="e.g. --display-name 'Field Agent'")
    return display_name


def create_role(session: Session, operator: "Operator", name: str, display_name: str,
                description: str | None, now: datetime) -> CatalogueChange:
    ensure_manager(operator)
    check_role_name(name)
    display_name = _check_display_name(display_name)
    if session.scalar(select(Role.id).where(Role.name == name)) is not None:
        raise InvalidInput(f"role {name!r} already exists", hint=f"`gmctl roles show {name}` shows it")
    role = Role(name=name, display_name=display_name, description=description, is_system_role=False,
                created_at=now, updated_at=now)
    session.add(role)
    session.flush()
    record(session, operator, "roles.create", "role", role.id,
           {"name": (None, name), "display_name": (None, display_name), "description": (None, description)},
           message=f"created role {name}")
    return CatalogueChange(name, True, f"Created role {name} ({display_name}).")


def update_role(session: Session, operator: "Operator", name: str, *, new_name: str | None = None,
                display_name: str | None = None, description: str | None = None,
                now: datetime) -> CatalogueChange:
    ensure_manager(operator)
    role = get_role(session, name, lock=True)
    wanted: dict[str, object] = {}
    if new_name is not None and new_name != role.name:
        if role.is_system_role:
            raise InvalidInput(f"{name} is a system role: it can't be renamed",
                               hint="its display name and description can change")
        check_role_name(new_name)
        if session.scalar(select(Role.id).where(Role.name == new_name)) is not None:
            raise InvalidInput(f"role {new_name!r} already exists", hint="choose another name")
        wanted["name"] = new_name
    if display_name is not None:
        wanted["display_name"] = _check_display_name(display_name)
    if description is not None:
        wanted["description"] = description or None
    changes = {key: (getattr(role, key), value) for key, value in wanted.items()
               if getattr(role, key) != value}
    if not changes:
        unchanged = f"Role {role.name} already looks like that; nothing changed."
        return CatalogueChange(role.name, False, unchanged)
    for key, (_old, new) in changes.items():
        setattr(role, key, new)
    role.updated_at = now
    session.flush()
    renamed = f" (now {role.name})" if role.name != name else ""
    record(session, operator, "roles.update", "role", role.id, changes,
           message=f"updated role {name}{renamed}")
    said = ", ".join(f"{key} {old!r} -> {new!r}" for key, (old, new) in changes.items())
    return CatalogueChange(role.name, True, f"Updated role {role.name}: {said}.")


@dataclass(frozen=True)
class DeletionPlan:
    name: str
    holders: list[str]  # usernames whose grants go with the role


def plan_role_deletion(session: Session, name: str) -> DeletionPlan:
    role = get_role(session, name, lock=True)
    if role.is_system_role:
        raise InvalidInput(f"{name} is a system role: it can't be deleted",
                           hint="system roles (customer, staff, admin, super_admin) stay")
    holders = session.scalars(select(User.username).join(RoleGrant, RoleGrant.user_id == User.id)
                              .where(RoleGrant.role_id == role.id).order_by(User.username))
    return DeletionPlan(role.name, list(holders))


def delete_role(session: Session, operator: "Operator", name: str) -> CatalogueChange:
    """Delete a non-system role; its grants and permission links go with it (ON DELETE CASCADE)."""
    ensure_manager(operator)
    plan = plan_role_deletion(session, name)
    role = get_role(session, name)
    permissions = role_permission_names(session, role.id)
    session.delete(role)
    session.flush()
    held_by = f", held by {people(len(plan.holders))}" if plan.holders else ""
    record(session, operator, "roles.delete", "role", role.id,
           {"name": (name, None), "holders": (plan.holders, None), "permissions": (permissions, None)},
           message=f"deleted role {name}{held_by}", level="WARNING")
    taken = f"; {people(len(plan.holders))} lost it" if plan.holders else ""
    return CatalogueChange(name, True, f"Deleted role {name}{taken}.")


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def permit(session: Session, operator: "Operator", role_name: str, permission_name: str,
           now: datetime) -> CatalogueChange:
    return _change_permission(session, operator, role_name, permission_name, now, adding=True)


def forbid(session: Session, operator: "Operator", role_name: str, permission_name: str,
           now: datetime) -> CatalogueChange:
    return _change_permission(session, operator, role_name, permission_name, now, adding=False)


def _change_permission(session: Session, operator: "Operator", role_name: str, permission_name: str,
                       now: datetime, *, adding: bool) -> CatalogueChange:
    role = get_role(session, role_name, lock=True)
    permission = get_permission(session, permission_name)
    ensure_may_edit_permissions(session, operator, role, permission.name, now, adding=adding)
    before = role_permission_names(session, role.id)
    link = session.scalar(select(RolePermission).where(RolePermission.role_id == role.id,
                                                       RolePermission.permission_id == permission.id))
    if adding == (link is not None):
        state = "already permits" if adding else "does not permit"
        unchanged = f"Role {role.name} {state} {permission.name}; nothing changed."
        return CatalogueChange(role.name, False, unchanged)
    if adding:
        session.add(RolePermission(role_id=role.id, permission_id=permission.id, granted_at=now))
    else:
        session.delete(link)
    session.flush()
    after = role_permission_names(session, role.id)
    verb = "permitted" if adding else "forbade"
    record(session, operator, "roles.permit" if adding else "roles.forbid", "role", role.id,
           {"permissions": (before, after)}, message=f"{verb} {permission.name} for role {role.name}")
    if adding:
        return CatalogueChange(role.name, True, f"Role {role.name} now permits {permission.name}.")
    text = f"Role {role.name} no longer permits {permission.name}."
    if _is_default_grant(role, permission.name):
        # ensure_reference_data treats the default grants as a floor.
        text += " It is a default grant: `gmctl db init` puts it back unless DEFAULT_GRANTS changes."
    return CatalogueChange(role.name, True, text)


def _is_default_grant(role: Role, permission: str) -> bool:
    from gmctl.db.reference_data import DEFAULT_GRANTS

    return bool(role.is_system_role) and permission in DEFAULT_GRANTS.get(role.name, ())
