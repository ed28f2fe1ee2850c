"""`users erase`: the right to erasure (NDPA 2023 s.36, GDPR Art. 17) without DELETE of the user.

The users row stays, pseudonymised, because payments, bookings, loans and requests point at it and
must stay (financial records; the seed's foreign keys forbid deleting a user with payments).
- overwritten: username, email, names, phone, birth date, gender, photo; the row is deactivated;
- removed: password, MFA, sessions, role grants, profile, payment methods, notifications;
- scrubbed: free text about the person on the records that stay (addresses, notes, health and
  dietary needs on bookings, message bodies, vehicle identifiers, upload names), in the live and
  archive tables, and the personal values in earlier audit entries about the account;
- kept: amounts, dates, statuses and ids of payments, requests, bookings and loans.
One audit entry is written, with counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmctl import audit
from gmctl.accounts.rules import guard_not_last_superuser, guard_not_self, guard_superuser_target
from gmctl.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator
    from gmctl.db.models import User

ERASED = "[erased]"
PERSONAL_LOG_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "phone",
    "date_of_birth",
    "gender",
    "profile_image",
)


@dataclass(frozen=True)
class ErasureReport:
    user_id: int
    pseudonym: str
    removed: dict[str, int]
    scrubbed: dict[str, int]
    kept_payments: int


def erase_person(
    session: "Session", operator: "Operator | None", user: "User", now: datetime
) -> ErasureReport:
    from gmctl.auth.passwords import unusable_password

    guard_superuser_target(operator, user, "erase")
    guard_not_self(operator, user, "erase")
    guard_not_last_superuser(session, user, "erase")
    if user.erased_at is not None:
        raise InvalidInput(f"user {user.id} was already erased on {user.erased_at.date().isoformat()}")
    removed = _remove_dependants(session, user.id)
    scrubbed = _scrub_records(session, user.id)
    scrubbed["audit_entries"] = _scrub_audit_log(session, user.id)
    pseudonym = f"erased-{user.id}"
    for name in (
        "first_name",
        "last_name",
        "phone",
        "date_of_birth",
        "gender",
        "profile_image",
        "mfa_secret",
        "backup_codes",
        "mfa_last_step",
        "last_login",
        "locked_at",
    ):
        setattr(user, name, None)
    user.username, user.email = pseudonym, f"{pseudonym}@erased.invalid"
    user.password_hash = unusable_password()
    user.email_verified = user.is_active = user.is_staff = user.is_superuser = user.mfa_enabled = False
    user.failed_login_attempts = 0
    user.erased_at = user.updated_at = user.password_changed_at = now
    kept = _count_payments(session, user.id)
    audit.record(
        session,
        operator,
        "users.erase",
        "user",
        user.id,
        message=f"users.erase user {user.id}: personal data erased (right to erasure)",
        changes={"erased_at": (None, now)},
        at=now,
    )
    return ErasureReport(user.id, pseudonym, removed, scrubbed, kept)


def _remove_dependants(session: "Session", uid: int) -> dict[str, int]:
    from sqlalchemy import delete

    from gmctl.db import models as m

    removed = {}
    for label, model in (
        ("sign_in_sessions", m.OperatorSession),
        ("role_grants", m.RoleGrant),
        ("profile", m.UserProfile),
        ("payment_methods", m.PaymentMethod),
        ("notifications", m.Notification),
    ):
        result = session.execute(delete(model).where(model.user_id == uid).returning(model.id))
        removed[label] = len(result.all())
    return removed


def _redactions() -> list[tuple[str, Any, Any, dict[str, Any]]]:
    from gmctl.db import models as m

    def owner(model: Any) -> Any:
        return model.user_id

    request = {"location_address": None, "location_coordinates": None, "customer_notes": None}
    booking = {"special_requests": None, "dietary_requirements": None, "accessibility_needs": None}
    message = {"subject": None, "content": ERASED, "attachments": []}
    return [
        ("service_requests", m.ServiceRequest, owner(m.ServiceRequest), request),
        ("archived_service_requests", m.ServiceRequestArchive, owner(m.ServiceRequestArchive), request),
        ("hotel_bookings", m.HotelBooking, owner(m.HotelBooking), booking),
        ("archived_hotel_bookings", m.HotelBookingArchive, owner(m.HotelBookingArchive), booking),
        ("messages", m.Message, (m.Message.sender_id, m.Message.recipient_id), message),
        (
            "archived_messages",
            m.MessageArchive,
            (m.MessageArchive.sender_id, m.MessageArchive.recipient_id),
            message,
        ),
        (
            "vehicles",
            m.Vehicle,
            owner(m.Vehicle),
            {"vin": None, "license_plate": None, "registration_number": None, "insurance_provider": None},
        ),
        (
            "file_uploads",
            m.FileUpload,
            owner(m.FileUpload),
            {"original_filename": ERASED, "description": None},
        ),
    ]


def _scrub_records(session: "Session", uid: int) -> dict[str, int]:
    from sqlalchemy import or_, update

    scrubbed = {}
    for label, model, owner_columns, values in _redactions():
        columns = owner_columns if isinstance(owner_columns, tuple) else (owner_columns,)
        statement = (
            update(model).where(or_(*(column == uid for column in columns))).values(**_keys(model, values))
        )
        scrubbed[label] = (
            session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0
        )
    return scrubbed


def _keys(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Column names to attribute keys (the archive tables have plain attributes of the same names)."""
    table = model.__table__
    return {table.c[name].key: value for name, value in values.items()}


def _scrub_audit_log(session: "Session", uid: int) -> int:
    """Earlier entries about the account keep their action and time, not the person's old values."""
    from sqlalchemy import select

    from gmctl.db.models import SystemLog

    entries = session.scalars(
        select(SystemLog).where(SystemLog.target_type == "user", SystemLog.target_id == str(uid))
    )
    count = 0
    for entry in entries:
        changes = dict(entry.changes or {})
        touched = False
        for name in PERSONAL_LOG_FIELDS:
            if name in changes:
                changes[name] = {"old": ERASED, "new": ERASED}
                touched = True
        if touched:
            entry.changes = changes
            count += 1
    return count


def _count_payments(session: "Session", uid: int) -> int:
    from sqlalchemy import func, select

    from gmctl.db.models import Payment

    return int(session.scalar(select(func.count()).select_from(Payment).where(Payment.user_id == uid)) or 0)
