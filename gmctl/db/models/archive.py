"""Archive tables: where retention moves a completed request and everything hanging off it.

Seed-notes 9: deleting an old request either failed (bookings, loans, vehicle
services, messages point at it) or silently cascaded its status history away.
Retention now copies the request and its dependants here, then deletes them.
Payments and file uploads stay live (financial records; their foreign key is ON
DELETE SET NULL) and the detached ids are noted in `archived_links`.

An archive table has exactly the columns of its live table, so each one is
built from the live Table here rather than typed out a second time: a column
added to a live model appears in its archive too, and the drift check then
insists that the migration adding it extends the archive as well. The archive
keeps types and nullability, but no serial default, foreign key, CHECK,
generated expression or trigger: rows arrive whole, and must still fit after
the users or requests they mention are gone. Attributes are therefore untyped.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Table
from sqlalchemy.dialects.postgresql import JSONB

from gmctl.db.models.automotive import VehicleService
from gmctl.db.models.base import EMPTY_OBJECT, NOW, Base
from gmctl.db.models.communication import Message
from gmctl.db.models.hospitality import HotelBooking
from gmctl.db.models.lending import LoanApplication
from gmctl.db.models.service_requests import ServiceRequest, StatusChange


def archive_of(live: Table, *extra: Column | Index | CheckConstraint) -> Table:
    """A table named `<live>_archive` with the live table's columns, then `archived_at` and `extra`."""
    columns = [
        Column(
            column.name,
            column.type,
            # Declarative classes reserve "metadata"; the live models call it metadata_ too.
            key=f"{column.name}_" if column.name == "metadata" else column.name,
            nullable=column.nullable,
            primary_key=column.primary_key,
            autoincrement=False,
        )
        for column in live.columns
    ]
    archived_at = Column("archived_at", DateTime(timezone=True), nullable=False, server_default=NOW)
    return Table(f"{live.name}_archive", Base.metadata, *columns, archived_at, *extra)


def _by_request(live: Table) -> Table:
    name = f"idx_{live.name}_archive_service_request"
    return archive_of(live, Index(name, "service_request_id"))


class ServiceRequestArchive(Base):
    __table__ = archive_of(
        ServiceRequest.__table__,
        # Ids of payments / file uploads that stayed live and were detached
        # from this request: {"payments": [..], "file_uploads": [..]}.
        Column("archived_links", JSONB, nullable=False, server_default=EMPTY_OBJECT),
        CheckConstraint("jsonb_typeof(archived_links) = 'object'", name="chk_archived_links_object"),
        Index("idx_service_requests_archive_user_id", "user_id"),
    )


class StatusChangeArchive(Base):
    __table__ = _by_request(StatusChange.__table__)


class MessageArchive(Base):
    __table__ = _by_request(Message.__table__)


class HotelBookingArchive(Base):
    __table__ = _by_request(HotelBooking.__table__)


class LoanApplicationArchive(Base):
    __table__ = _by_request(LoanApplication.__table__)


class VehicleServiceArchive(Base):
    __table__ = _by_request(VehicleService.__table__)
