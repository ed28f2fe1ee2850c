"""Uploaded files."""

from __future__ import annotations

import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import FALSE, NOW, Base, varchar_default


class FileUpload(Base):
    __tablename__ = "file_uploads"
    __table_args__ = (
        CheckConstraint("file_size > 0", name="chk_file_size"),
        CheckConstraint(
            "virus_scan_status IN ('pending', 'clean', 'infected', 'failed')", name="chk_virus_scan_status"
        ),
        Index("idx_file_uploads_user_id", "user_id"),
        Index("idx_file_uploads_service_request", "service_request_id"),
        Index("idx_file_uploads_hash", "file_hash"),
        Index("idx_file_uploads_category", "file_category"),
        Index(
            "idx_file_uploads_temporary",
            "is_temporary",
            "created_at",
            postgresql_where=text("is_temporary = true"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A file outlives its request: archiving a request detaches it (seed-notes 3, 9).
    service_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="SET NULL")
    )
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_filename: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(500))
    file_size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(100))
    file_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256, for deduplication
    description: Mapped[str | None] = mapped_column(Text)
    file_category: Mapped[str | None] = mapped_column(String(50))
    is_public: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    is_temporary: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    virus_scan_status: Mapped[str | None] = mapped_column(
        String(20), server_default=varchar_default("pending")
    )
    virus_scan_result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    expires_at: Mapped[datetime.datetime | None]
