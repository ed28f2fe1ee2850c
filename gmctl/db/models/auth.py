"""Operator sign-in sessions (migration gm03): the database half of a `gmctl login`."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import NOW, Base


class OperatorSession(Base):
    """One sign-in. The token stays in the operator's GMCTL_HOME; only its SHA-256 is here."""

    __tablename__ = "operator_sessions"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        CheckConstraint("expires_at > created_at", name="chk_operator_sessions_expiry"),
        Index("idx_operator_sessions_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(server_default=NOW)
    expires_at: Mapped[datetime.datetime]
    revoked_at: Mapped[datetime.datetime | None]
    last_seen_at: Mapped[datetime.datetime | None]
