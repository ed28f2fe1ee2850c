"""`users export`: everything the platform holds on a person, as one JSON document.

Subject access (NDPA 2023 s.34, GDPR Art. 15). Credentials are the exception: the password hash,
MFA secret, backup codes and session token hashes are never exported, only that they exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmctl import audit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator
    from gmctl.db.models import User

# Never exported, whatever table they are in.
WITHHELD = frozenset(
    {"password_hash", "mfa_secret", "backup_codes", "mfa_last_step", "token_hash", "search_vector"}
)


def row_dict(obj: Any) -> dict[str, Any]:
    """A mapped row as {column name: value}, withheld columns left out."""
    from sqlalchemy import inspect

    mapper = inspect(type(obj))
    result = {}
    for attr in mapper.column_attrs:
        name = attr.columns[0].name
        if name not in WITHHELD:
            result[name] = getattr(obj, attr.key)
    return result


def _owned(session: "Session", model: Any, *conditions: Any) -> list[dict[str, Any]]:
    from sqlalchemy import or_, select

    primary = list(model.__table__.primary_key.columns)
    query = select(model).where(or_(*conditions)).order_by(*primary)
    return [row_dict(row) for row in session.scalars(query)]


def export_subject(
    session: "Session", operator: "Operator | None", user: "User", now: datetime
) -> dict[str, Any]:
    from gmctl.accounts.profile import roles_of
    from gmctl.db import models as m

    uid = user.id
    request_ids = select_ids(session, m.ServiceRequest.id, m.ServiceRequest.user_id == uid)
    vehicle_ids = select_ids(session, m.Vehicle.id, m.Vehicle.user_id == uid)
    document = {
        "subject": {
            "user_id": uid,
            "exported_at": now,
            "basis": "NDPA 2023 s.34 / GDPR Art. 15 subject access",
            "withheld": "password hash, MFA secret, backup codes and session tokens (credentials)",
        },
        "account": row_dict(user)
        | {"has_password": bool(user.password_hash), "backup_codes_on_file": len(user.backup_codes or ())},
        "profile": _owned(session, m.UserProfile, m.UserProfile.user_id == uid),
        "roles": roles_of(session, uid, now),
        "sign_in_sessions": _owned(session, m.OperatorSession, m.OperatorSession.user_id == uid),
        "service_requests": _owned(session, m.ServiceRequest, m.ServiceRequest.user_id == uid),
        "service_status_history": _owned(
            session,
            m.StatusChange,
            m.StatusChange.service_request_id.in_(request_ids),
            m.StatusChange.changed_by == uid,
        ),
        "vehicles": _owned(session, m.Vehicle, m.Vehicle.user_id == uid),
        "vehicle_services": _owned(session, m.VehicleService, m.VehicleService.vehicle_id.in_(vehicle_ids)),
        "hotel_bookings": _owned(session, m.HotelBooking, m.HotelBooking.user_id == uid),
        "loan_applications": _owned(session, m.LoanApplication, m.LoanApplication.user_id == uid),
        "payments": _owned(session, m.Payment, m.Payment.user_id == uid),
        "payment_methods": _owned(session, m.PaymentMethod, m.PaymentMethod.user_id == uid),
        "messages": _owned(session, m.Message, m.Message.sender_id == uid, m.Message.recipient_id == uid),
        "notifications": _owned(session, m.Notification, m.Notification.user_id == uid),
        "file_uploads": _owned(session, m.FileUpload, m.FileUpload.user_id == uid),
        "archived": _archived(session, uid),
        "audit_log": _audit_trail(session, uid),
    }
    audit.record(
        session,
        operator,
        "users.export",
        "user",
        uid,
        message=f"users.export user {uid}: subject access export",
        at=now,
    )
    return document


def _archived(session: "Session", uid: int) -> dict[str, list[dict[str, Any]]]:
    from gmctl.db import models as m

    archived_ids = select_ids(session, m.ServiceRequestArchive.id, m.ServiceRequestArchive.user_id == uid)
    return {
        "service_requests": _owned(session, m.ServiceRequestArchive, m.ServiceRequestArchive.user_id == uid),
        "service_status_history": _owned(
            session, m.StatusChangeArchive, m.StatusChangeArchive.service_request_id.in_(archived_ids)
        ),
        "hotel_bookings": _owned(session, m.HotelBookingArchive, m.HotelBookingArchive.user_id == uid),
        "loan_applications": _owned(
            session, m.LoanApplicationArchive, m.LoanApplicationArchive.user_id == uid
        ),
        "messages": _owned(
            session, m.MessageArchive, m.MessageArchive.sender_id == uid, m.MessageArchive.recipient_id == uid
        ),
        "vehicle_services": _owned(
            session, m.VehicleServiceArchive, m.VehicleServiceArchive.service_request_id.in_(archived_ids)
        ),
    }


def _audit_trail(session: "Session", uid: int) -> list[dict[str, Any]]:
    """Entries about the person in full; entries of what they did as staff without the changed values,
    which are other people's data."""
    from sqlalchemy import or_, select

    from gmctl.db.models import SystemLog

    about = (SystemLog.target_type == "user") & (SystemLog.target_id == str(uid))
    entries = session.scalars(
        select(SystemLog).where(or_(about, SystemLog.actor_id == uid)).order_by(SystemLog.id)
    )
    trail = []
    for entry in entries:
        row = row_dict(entry)
        if not (entry.target_type == "user" and entry.target_id == str(uid)):
            row["changes"] = {name: "(withheld: another person's data)" for name in entry.changes or {}}
        trail.append(row)
    return trail


def select_ids(session: "Session", column: Any, condition: Any) -> list[int]:
    from sqlalchemy import select

    return list(session.scalars(select(column).where(condition)))
