"""Users, their roles and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from realtime.timeutil import utcnow
from realtime.types import UtcDateTime


class User(SQLModel, table=True):
    """A person who signs in. Deleted never; disabled instead, so the audit trail stays whole."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    password_changed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )
    must_change_password: bool = False
    totp_secret_enc: str | None = Field(default=None, max_length=255)
    totp_pending_enc: str | None = Field(default=None, max_length=255)
    totp_enabled: bool = False
    totp_last_step: int | None = None
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    disabled: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )


class UserRole(SQLModel, table=True):
    """One role held by a user."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    role: str = Field(max_length=32)


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    second_factor_passed: bool = False
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=255)
