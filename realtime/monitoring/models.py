"""Stored alerts and the audit chain's verification checkpoint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class Alert(SQLModel, table=True):
    """One raised alert: open until its condition clears; mailed once; acknowledged by a person."""

    __tablename__ = "monitor_alert"

    id: int | None = Field(default=None, primary_key=True, description="Alert number.")
    kind: str = Field(
        sa_column=Column(String(32), nullable=False, index=True),
        description="Rule that raised it: subsystem_down, service_level, disk_space, "
        "signin_failures, audit_chain, queue_wait, items_due.",
    )
    severity: str = Field(
        sa_column=Column(String(16), nullable=False), description="warning or critical."
    )
    subject: str = Field(
        sa_column=Column(String(128), nullable=False),
        description="What the alert is about within its kind (a subsystem, a disk, a user...).",
    )
    detail: str = Field(
        default="{}",
        sa_column=Column(Text, nullable=False),
        description="JSON facts measured when raised (never personal data).",
    )
    message_ja: str = Field(
        default="",
        sa_column=Column(Text, nullable=False),
        description="The Japanese sentence shown on the wallboard and mailed.",
    )
    raised_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When the condition was first seen (UTC).",
    )
    cleared_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True),
        description="When the condition was no longer seen (UTC); empty while open.",
    )
    open_key: str | None = Field(
        default=None,
        sa_column=Column(String(170), nullable=True, unique=True),
        description="kind:subject while open, empty once cleared: one open alert per condition.",
    )
    acknowledged_by: str | None = Field(
        default=None,
        sa_column=Column(String(64), nullable=True),
        description="User who acknowledged it (audited).",
    )
    acknowledged_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True),
        description="When it was acknowledged (UTC).",
    )
    mail_state: str = Field(
        default="pending",
        sa_column=Column(String(16), nullable=False, index=True),
        description="pending, sending, sent, failed or off (no recipients configured).",
    )
    mail_attempts: int = Field(
        default=0,
        sa_column=Column(Integer, nullable=False),
        description="How many times sending the mail was tried.",
    )
    mailed_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True),
        description="When the mail was accepted by the SMTP server (UTC).",
    )
    mail_error: str = Field(
        default="",
        sa_column=Column(Text, nullable=False),
        description="Last SMTP error (empty when none).",
    )


class AuditCheckpoint(SQLModel, table=True):
    """A single row (id 1): the last audit entry verified by the monitor and its hash."""

    __tablename__ = "monitor_audit_checkpoint"

    id: int = Field(default=1, primary_key=True, description="Always 1.")
    seq: int = Field(default=0, description="Sequence number of the last verified audit entry.")
    entry_hash: str = Field(
        default="0" * 64, max_length=64, description="Hash of that entry (the chain link)."
    )
    verified_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True),
        description="When the monitor last verified new entries (UTC).",
    )
