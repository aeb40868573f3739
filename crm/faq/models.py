"""FAQ entries, their usage counts, and the revision numbers that tell the index to refresh."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class FaqEntry(SQLModel, table=True):
    """One question and answer. ``dept_id`` may name a department not (yet) in the directory."""

    __tablename__ = "faq_entry"

    faq_id: str = Field(sa_column=Column(String(32), primary_key=True))
    category1: str = Field(default="", max_length=100, index=True)
    category2: str = Field(default="", max_length=100)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    dept_id: str | None = Field(default=None, max_length=32, index=True)
    keywords: str = Field(default="", sa_column=Column(Text, nullable=False))
    needs_handoff: bool = False
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class FaqUsage(SQLModel, table=True):
    """How often agents opened and cited one entry (F-2.1.6)."""

    __tablename__ = "faq_usage"

    faq_id: str = Field(sa_column=Column(String(32), primary_key=True))
    opened: int = 0
    cited: int = 0
    last_used_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class FaqRevision(SQLModel, table=True):
    """A single row (id 1): new tokens when entries or usage change, so every process re-reads."""

    __tablename__ = "faq_revision"

    id: int = Field(default=1, primary_key=True)
    content: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    usage: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
