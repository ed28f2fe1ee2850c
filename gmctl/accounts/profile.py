"""`users show`: the profile, roles with expiry, sign-in state and recent requests of one account.

Never the password hash, the MFA secret or the backup codes: only whether they exist and how many.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import User

RECENT_REQUESTS = 5
PROFILE_FIELDS = (
    "street_address",
    "city",
    "state",
    "postal_code",
    "country",
    "company_name",
    "job_title",
    "industry",
    "language",
    "timezone",
    "currency",
)


def describe_user(session: "Session", user: "User", now: datetime) -> dict[str, Any]:
    from gmctl.auth.mfa import backup_codes_left

    document: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "email_verified": bool(user.email_verified),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "date_of_birth": user.date_of_birth,
        "gender": user.gender,
        "active": bool(user.is_active),
        "staff": bool(user.is_staff),
        "superuser": bool(user.is_superuser),
        "locked": user.locked_at is not None,
        "locked_at": user.locked_at,
        "failed_login_attempts": user.failed_login_attempts or 0,
        "last_login": user.last_login,
        "password_changed_at": user.password_changed_at,
        "mfa_enabled": bool(user.mfa_enabled),
        "backup_codes_left": backup_codes_left(user) if user.mfa_enabled else 0,
        "live_sessions": live_sessions(session, user.id, now),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "erased_at": user.erased_at,
    }
    document.update(profile_of(session, user.id))
    document["roles"] = roles_of(session, user.id, now)
    document["recent_requests"] = recent_requests(session, user.id)
    return document


def profile_of(session: "Session", user_id: int) -> dict[str, Any]:
    from sqlalchemy import select

    from gmctl.db.models import UserProfile

    profile = session.scalars(select(UserProfile).where(UserProfile.user_id == user_id)).first()
    if profile is None:
        return {}
    return {name: getattr(profile, name) for name in PROFILE_FIELDS if getattr(profile, name) is not None}


def roles_of(session: "Session", user_id: int, now: datetime) -> list[dict[str, Any]]:
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from gmctl.db.models import Role, RoleGrant, User

    granter = aliased(User)
    rows = session.execute(
        select(Role.name, RoleGrant.assigned_at, RoleGrant.expires_at, granter.username)
        .join(Role, Role.id == RoleGrant.role_id)
        .outerjoin(granter, granter.id == RoleGrant.assigned_by)
        .where(RoleGrant.user_id == user_id)
        .order_by(Role.name)
    ).all()
    return [
        {
            "role": name,
            "assigned_at": assigned,
            "expires_at": expires,
            "assigned_by": by,
            "in_force": expires is None or expires > now,
        }
        for name, assigned, expires, by in rows
    ]


def recent_requests(session: "Session", user_id: int) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from gmctl.db.models import ServiceRequest

    rows = session.execute(
        select(
            ServiceRequest.id,
            ServiceRequest.service_type,
            ServiceRequest.title,
            ServiceRequest.status,
            ServiceRequest.created_at,
        )
        .where(ServiceRequest.user_id == user_id)
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .limit(RECENT_REQUESTS)
    ).all()
    return [dict(row._mapping) for row in rows]


def live_sessions(session: "Session", user_id: int, now: datetime) -> int:
    from sqlalchemy import func, select

    from gmctl.db.models import OperatorSession

    return int(
        session.scalar(
            select(func.count())
            .select_from(OperatorSession)
            .where(
                OperatorSession.user_id == user_id,
                OperatorSession.revoked_at.is_(None),
                OperatorSession.expires_at > now,
            )
        )
        or 0
    )
