"""Messages between people and notifications to them."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import EMPTY_ARRAY, EMPTY_OBJECT, FALSE, NOW, Base, varchar_default


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            "message_type IN ('user', 'system', 'notification', 'alert')", name="chk_message_type"
        ),
        CheckConstraint("sender_id IS NOT NULL OR message_type = 'system'", name="chk_sender_recipient"),
        CheckConstraint(
            "attachments IS NULL OR jsonb_typeof(attachments) = 'array'", name="chk_attachments_array"
        ),
        Index("idx_messages_recipient", "recipient_id", "created_at"),
        Index("idx_messages_sender", "sender_id", "created_at"),
        Index("idx_messages_service_request", "service_request_id"),
        Index("idx_messages_unread", "recipient_id", "is_read", postgresql_where=text("is_read = false")),
        Index("idx_messages_thread", "thread_id", postgresql_where=text("thread_id IS NOT NULL")),
        Index("idx_messages_recipient_thread_date", "recipient_id", "thread_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    service_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    subject: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    message_type: Mapped[str | None] = mapped_column(String(20), server_default=varchar_default("user"))
    is_read: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    read_at: Mapped[datetime.datetime | None]
    attachments: Mapped[list[Any] | None] = mapped_column(JSONB, server_default=EMPTY_ARRAY)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(
            "type IN ('service_update', 'payment_confirmation', 'system_alert',"
            " 'promotional', 'reminder', 'welcome', 'security')",
            name="chk_notification_type",
        ),
        CheckConstraint(
            "action_data IS NULL OR jsonb_typeof(action_data) = 'object'", name="chk_action_data_object"
        ),
        Index("idx_notifications_user_id", "user_id", "created_at"),
        Index("idx_notifications_unread", "user_id", "is_read", postgresql_where=text("is_read = false")),
        Index("idx_notifications_type", "type"),
        Index("idx_notifications_expires", "expires_at", postgresql_where=text("expires_at IS NOT NULL")),
        Index(
            "idx_notifications_user_unread_created",
            "user_id",
            "is_read",
            "created_at",
            postgresql_where=text("is_read = false"),
        ),
        Index(
            "idx_notifications_unread_by_type",
            "user_id",
            "type",
            "created_at",
            postgresql_where=text("is_read = false"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(Text)
    action_url: Mapped[str | None] = mapped_column(String(500))
    action_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, server_default=EMPTY_OBJECT)
    is_read: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    read_at: Mapped[datetime.datetime | None]
    delivery_methods: Mapped[list[str] | None] = mapped_column(ARRAY(String(100)))  # email, sms, push, in_app
    delivered_at: Mapped[datetime.datetime | None]
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    expires_at: Mapped[datetime.datetime | None]
