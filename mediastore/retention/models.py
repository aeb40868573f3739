"""Retention policies and the disposal log (what was erased, when, by which rule: N-DATA-2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class RetentionPolicy(SQLModel, table=True):
    """How long recordings of one line and inquiry category are kept after the contact closes."""

    __tablename__ = "retention_policy"
    __table_args__ = (UniqueConstraint("line", "category", name="uq_retention_policy"),)

    id: int | None = Field(default=None, primary_key=True, description="Policy number.")
    line: str = Field(default="", max_length=32, description="Line (DID); empty: every line.")
    category: str = Field(
        default="", max_length=100, description="Inquiry category (大分類); empty: every category."
    )
    days: int = Field(description="Days after the interaction closed before the audio is erased.")
    note: str = Field(default="", max_length=200, description="Why this period (e.g. a bylaw).")
    updated_by: str = Field(max_length=64, description="Administrator who set it.")
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was set (UTC)."
    )


class DisposalRecord(SQLModel, table=True):
    """One erased recording, mail or fax: kept after the data and its key are gone (N-DATA-2)."""

    __tablename__ = "disposal_record"

    id: int | None = Field(default=None, primary_key=True, description="Record number.")
    recording_id: str = Field(
        max_length=36, index=True, description="Recording erased, or mail-<id> / fax-<id>."
    )
    file_id: str = Field(max_length=64, description="Media store file erased (with its key).")
    file_length: int = Field(description="Plaintext bytes the file held.")
    rule: str = Field(
        max_length=160,
        description="retention:<line>/<category>:<days>d, manual, orphan, or inbox:<days>d.",
    )
    reason: str = Field(default="", max_length=200, description="Reason given (manual).")
    actor: str = Field(max_length=64, description="Who erased it (system for the job).")
    clock_started_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime()),
        description="When the retention clock started (interaction closed, UTC).",
    )
    erased_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When the file and its key were erased (UTC).",
    )
    file_present: bool = Field(description="Whether a file was found to erase.")
