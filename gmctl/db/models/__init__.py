"""The schema at migration head, as SQLAlchemy models.

`gmctl.db.drift.schema_drift` checks these against a live database; the
migrations in migrations/versions are what build it. Functions and triggers
live in `gmctl.db.ddl`, not here.
"""

from gmctl.db.models.access import Permission, Role, RoleGrant, RolePermission
from gmctl.db.models.accounts import User, UserProfile
from gmctl.db.models.auth import OperatorSession
from gmctl.db.models.archive import (
    HotelBookingArchive,
    LoanApplicationArchive,
    MessageArchive,
    ServiceRequestArchive,
    StatusChangeArchive,
    VehicleServiceArchive,
)
from gmctl.db.models.automotive import Vehicle, VehicleService
from gmctl.db.models.base import Base, Point
from gmctl.db.models.communication import Message, Notification
from gmctl.db.models.files import FileUpload
from gmctl.db.models.hospitality import HotelBooking
from gmctl.db.models.lending import LoanApplication
from gmctl.db.models.payments import Payment, PaymentMethod, PaymentRefund
from gmctl.db.models.service_requests import ServiceRequest, StatusChange
from gmctl.db.models.system import SchemaMigration, SystemLog

__all__ = [
    "Base",
    "FileUpload",
    "HotelBooking",
    "HotelBookingArchive",
    "LoanApplication",
    "LoanApplicationArchive",
    "Message",
    "MessageArchive",
    "Notification",
    "OperatorSession",
    "Payment",
    "PaymentMethod",
    "PaymentRefund",
    "Permission",
    "Point",
    "Role",
    "RoleGrant",
    "RolePermission",
    "SchemaMigration",
    "ServiceRequest",
    "ServiceRequestArchive",
    "StatusChange",
    "StatusChangeArchive",
    "SystemLog",
    "User",
    "UserProfile",
    "Vehicle",
    "VehicleService",
    "VehicleServiceArchive",
]
