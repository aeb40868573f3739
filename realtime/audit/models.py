"""Audit entries, chained by SHA-256, and the row that holds the chain's head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class AuditEntry(SQLModel, table=True):
    """One appended entry. ``entry_hash`` covers every other field and ``prev_hash``."""

    __tablename__ = "audit_entry"

    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    outcome: str = Field(max_length=16)
    target: str = Field(default="", max_length=255)
    ip: str = Field(default="", max_length=64)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """A single row (id 1): the last sequence number and hash; updated under a row lock."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    entry_hash: str = Field(default="0" * 64, max_length=64)
