"""Operational tables: the audit/maintenance log and the seed's own migration ledger."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import EMPTY_OBJECT, FALSE, NOW, Base, varchar_default

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SystemLog(Base):
    """One line of the system log: maintenance runs and audited staff actions."""

    __tablename__ = "system_logs"
    __table_args__ = (
        CheckConstraint(
            "level IN ({})".format(", ".join(f"'{v}'" for v in LOG_LEVELS)), name="chk_system_logs_level"
        ),
        CheckConstraint("jsonb_typeof(changes) = 'object'", name="chk_system_logs_changes_object"),
        Index("idx_system_logs_created_at", "created_at"),
        Index("idx_system_logs_target", "target_type", "target_id"),
        Index("idx_system_logs_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    level: Mapped[str] = mapped_column(String(10), server_default=varchar_default("INFO"))
    message: Mapped[str] = mapped_column(Text)
    # The log must survive the people it mentions.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str | None] = mapped_column(String(100))
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    created_at: Mapped[datetime.datetime] = mapped_column(server_default=NOW)


class SchemaMigration(Base):
    """The seed's migration ledger (five rows); alembic_version is the one gmctl uses."""

    __tablename__ = "schema_migrations"

    version: Mapped[str] = mapped_column(String(14), primary_key=True)
    dirty: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    applied_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
