"""People: users and their profiles."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import EMPTY_OBJECT, FALSE, NOW, TRUE, Base, varchar_default

EMAIL_PATTERN = r"'^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'"
PHONE_PATTERN = r"'^\+?[1-9]\d{1,14}$'"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint("LENGTH(username) >= 3", name="chk_username_length"),
        CheckConstraint(f"email ~* {EMAIL_PATTERN}", name="chk_email_format"),
        CheckConstraint(f"phone IS NULL OR phone ~ {PHONE_PATTERN}", name="chk_phone_format"),
        # Case-insensitive uniqueness (seed-notes 11): look users up by lower(email).
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        Index("idx_users_active", "is_active", postgresql_where=text("is_active = true")),
        Index("idx_users_created_at", "created_at"),
        Index("idx_users_active_email", "email", postgresql_where=text("is_active = true")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(255))
    email_verified: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    date_of_birth: Mapped[datetime.date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(10))
    profile_image: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=TRUE)
    is_staff: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    is_superuser: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    failed_login_attempts: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    last_login: Mapped[datetime.datetime | None]
    password_changed_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    mfa_enabled: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    mfa_secret: Mapped[str | None] = mapped_column(
        String(255), comment="Fernet token of the TOTP secret, never the secret in clear"
    )
    backup_codes: Mapped[list[str] | None] = mapped_column(
        ARRAY(Text), comment="Hashes of the unused one-time backup codes, never the codes"
    )
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    erased_at: Mapped[datetime.datetime | None] = mapped_column(
        comment="Set when the person's data was erased: the row stays, pseudonymised"
    )
    # gm03 (operator sign-in)
    mfa_last_step: Mapped[int | None] = mapped_column(
        BigInteger, comment="Last TOTP time step accepted: a code is good once"
    )
    locked_at: Mapped[datetime.datetime | None] = mapped_column(
        comment="Set when failed sign-ins reached the limit; NULL when not locked"
    )


class UserProfile(Base):
    __tablename__ = "user_profiles"
    __table_args__ = (
        UniqueConstraint("user_id"),
        CheckConstraint(
            "validate_notification_preferences(notification_preferences)",
            name="chk_notification_preferences_schema",
        ),
        Index("idx_user_profiles_country", "country"),
        Index("idx_user_profiles_city", "city"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    street_address: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(100), server_default=varchar_default("Nigeria"))
    company_name: Mapped[str | None] = mapped_column(String(255))
    job_title: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(10), server_default=varchar_default("en"))
    timezone: Mapped[str | None] = mapped_column(String(50), server_default=varchar_default("Africa/Lagos"))
    currency: Mapped[str | None] = mapped_column(String(3), server_default=varchar_default("NGN"))
    notification_preferences: Mapped[dict[str, Any] | None] = mapped_column(
        JSONB, server_default=EMPTY_OBJECT
    )
    linkedin_url: Mapped[str | None] = mapped_column(String(500))
    twitter_handle: Mapped[str | None] = mapped_column(String(50))
    website_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
