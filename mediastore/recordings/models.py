"""The recording catalogue table: one row per stored call recording (no personal data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class Recording(SQLModel, table=True):
    """One call recording kept encrypted in the media store (F-2.2.1, N-SEC-3)."""

    __tablename__ = "recording"

    id: str = Field(
        sa_column=Column(String(36), primary_key=True),
        description="Recording id (also the media store file id).",
    )
    contact_id: str = Field(
        sa_column=Column(String(36), nullable=False, index=True),
        description="Contact (call) the recording belongs to.",
    )
    agent: str = Field(default="", max_length=64, index=True, description="Agent user name.")
    did: str = Field(default="", max_length=32, index=True, description="Line (DID) called.")
    menu: str = Field(default="", max_length=32, index=True, description="IVR menu chosen.")
    started_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When recording started (UTC).",
    )
    ended_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False),
        description="When recording stopped (UTC).",
    )
    duration_s: float = Field(ge=0, index=True, description="Length of the audio in seconds.")
    channels: int = Field(description="Audio channels (2: agent left, caller right).")
    sample_rate: int = Field(description="Samples per second.")
    outcome: str = Field(
        default="",
        max_length=24,
        index=True,
        description="How the contact ended, copied from the interaction history when saved.",
    )
    category: str = Field(
        default="", max_length=100, description="Inquiry category (大分類) from the history."
    )
    file_id: str = Field(max_length=64, unique=True, description="Media store file id.")
    file_length: int = Field(description="Plaintext length in bytes when stored.")
    key_id: str = Field(max_length=32, description="Master key id that wrapped the data key.")
    stored_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False),
        description="When the encrypted file was committed (UTC).",
    )
    hold: bool = Field(
        default=False, description="Legal/dispute hold: retention never deletes while set."
    )
    hold_reason: str = Field(default="", max_length=200, description="Why the hold was set.")
    deleted_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), index=True),
        description="When the audio was erased (UTC); the row stays as a record.",
    )
    deleted_reason: str = Field(
        default="", max_length=200, description="Why it was erased (retention rule or manual)."
    )
    deleted_by: str = Field(default="", max_length=64, description="Who erased it (or system).")
