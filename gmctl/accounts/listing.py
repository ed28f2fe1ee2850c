"""`users list`: filters, search and keyset paging (by id, so a page never shifts under inserts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_LIMIT = 1000


@dataclass(frozen=True)
class UserFilter:
    active: bool | None = None
    staff: bool | None = None
    role: str | None = None
    locked: bool | None = None
    created_since: datetime | None = None
    search: str | None = None
    include_erased: bool = False
    after: int | None = None  # keyset cursor: ids greater than this
    limit: int = 50


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    name: str | None
    email: str
    phone: str | None
    active: bool
    staff: bool
    superuser: bool
    locked: bool
    mfa: bool
    roles: str
    last_login: datetime | None
    created_at: datetime | None


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    next_after: int | None  # pass as --after for the next page; None on the last page


def list_users(session: "Session", wanted: UserFilter, now: datetime) -> UserPage:
    from sqlalchemy import and_, exists, func, literal_column, or_, select
    from sqlalchemy.dialects.postgresql import aggregate_order_by

    from gmctl.db.models import Role, RoleGrant, User

    live_grant = and_(
        RoleGrant.user_id == User.id, or_(RoleGrant.expires_at.is_(None), RoleGrant.expires_at > now)
    )
    role_names = (
        select(func.string_agg(Role.name, aggregate_order_by(literal_column("','"), Role.name)))
        .select_from(RoleGrant)
        .join(Role, Role.id == RoleGrant.role_id)
        .where(live_grant)
        .scalar_subquery()
    )
    query = select(User, role_names.label("roles")).order_by(User.id).limit(min(wanted.limit, MAX_LIMIT) + 1)
    if not wanted.include_erased:
        query = query.where(User.erased_at.is_(None))
    if wanted.active is not None:
        query = query.where(User.is_active.is_(wanted.active))
    if wanted.staff is not None:
        query = query.where(
            or_(User.is_staff.is_(True), User.is_superuser.is_(True))
            if wanted.staff
            else and_(User.is_staff.isnot(True), User.is_superuser.isnot(True))
        )
    if wanted.locked is not None:
        query = query.where(User.locked_at.isnot(None) if wanted.locked else User.locked_at.is_(None))
    if wanted.role:
        query = query.where(
            exists().where(live_grant, RoleGrant.role_id == Role.id, Role.name == wanted.role)
        )
    if wanted.created_since is not None:
        query = query.where(User.created_at >= wanted.created_since)
    if wanted.search:
        query = query.where(_matches(wanted.search))
    if wanted.after is not None:
        query = query.where(User.id > wanted.after)
    found = session.execute(query).all()
    limit = min(wanted.limit, MAX_LIMIT)
    rows = [_row(user, roles) for user, roles in found[:limit]]
    return UserPage(rows, rows[-1].id if len(found) > limit else None)


def _matches(text: str):
    from sqlalchemy import func, or_

    from gmctl.db.models import User

    pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    full_name = func.concat_ws(" ", User.first_name, User.last_name)
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = [User.username.ilike(pattern), User.email.ilike(pattern), full_name.ilike(pattern)]
    if len(digits) >= 4:  # a phone fragment, typed with or without spaces and the leading 0 or +234
        conditions.append(User.phone.like(f"%{digits.lstrip('0')}%"))
    return or_(*conditions)


def _row(user, roles: str | None) -> UserRow:
    name = " ".join(part for part in (user.first_name, user.last_name) if part) or None
    return UserRow(
        id=user.id,
        username=user.username,
        name=name,
        email=user.email,
        phone=user.phone,
        active=bool(user.is_active),
        staff=bool(user.is_staff),
        superuser=bool(user.is_superuser),
        locked=user.locked_at is not None,
        mfa=bool(user.mfa_enabled),
        roles=roles or "",
        last_login=user.last_login,
        created_at=user.created_at,
    )
