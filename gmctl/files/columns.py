"""A light Core view of file_uploads (no ORM, no models at start-up), checked against the model in tests."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text, column, table

file_uploads = table(
    "file_uploads",
    column("id", Integer),
    column("user_id", Integer),
    column("service_request_id", Integer),
    column("original_filename", String),
    column("stored_filename", String),
    column("file_path", String),
    column("file_size", BigInteger),
    column("mime_type", String),
    column("file_hash", String),
    column("description", Text),
    column("file_category", String),
    column("is_public", Boolean),
    column("is_temporary", Boolean),
    column("virus_scan_status", String),
    column("virus_scan_result", Text),
    column("created_at", DateTime(timezone=True)),
    column("expires_at", DateTime(timezone=True)),
)

SCAN_STATUSES = ("pending", "clean", "infected", "failed")
