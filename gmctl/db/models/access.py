"""Access control: roles, permissions and who holds them."""

from __future__ import annotations

import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gmctl.db.models.base import FALSE, NOW, Base


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("name ~ '^[a-z_]+$'", name="chk_role_name_format"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    display_name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    is_system_role: Mapped[bool | None] = mapped_column(Boolean, server_default=FALSE)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)


class Permission(Base):
    __tablename__ = "permissions"
    __table_args__ = (
        UniqueConstraint("name"),
        UniqueConstraint("resource", "action"),
        CheckConstraint("name ~ '^[a-z_]+$'", name="chk_permission_name_format"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    resource: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)


class RoleGrant(Base):
    """A role held by a user (table user_roles), possibly until expires_at."""

    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role_id"),
        Index("idx_user_roles_user_id", "user_id"),
        Index("idx_user_roles_role_id", "role_id"),
        Index("idx_user_roles_expires_at", "expires_at", postgresql_where=text("expires_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
    expires_at: Mapped[datetime.datetime | None]


class RolePermission(Base):
    __tablename__ = "role_permissions"
    __table_args__ = (
        UniqueConstraint("role_id", "permission_id"),
        Index("idx_role_permissions_role_id", "role_id"),
        Index("idx_role_permissions_permission_id", "permission_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    permission_id: Mapped[int | None] = mapped_column(ForeignKey("permissions.id", ondelete="CASCADE"))
    granted_at: Mapped[datetime.datetime | None] = mapped_column(server_default=NOW)
