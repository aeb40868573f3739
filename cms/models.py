"""The contact event log table: append-only (database triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime

_SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class ContactEvent(SQLModel, table=True):
    """One thing that happened to one contact (or to an agent, for state events)."""

    __tablename__ = "contact_event"

    seq: int | None = Field(default=None, sa_column=Column(_SEQ_TYPE, primary_key=True))
    event_id: str = Field(sa_column=Column(String(36), unique=True, nullable=False))
    type: str = Field(sa_column=Column(String(48), nullable=False, index=True))
    contact_id: str | None = Field(default=None, sa_column=Column(String(36), index=True))
    channel: str | None = Field(default=None, max_length=16)
    occurred_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    line: str | None = Field(default=None, max_length=32)
    queue: str | None = Field(default=None, max_length=64)
    agent: str | None = Field(default=None, max_length=64)
    source: str = Field(default="app", max_length=32)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
