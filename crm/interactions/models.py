"""Interaction history tables: the current record, every saved version, FAQ links, categories."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class WorkType(StrEnum):
    """The center's work types (spec: 問合せ対応, 交換業務, 運営管理)."""

    INQUIRY = "inquiry"
    SWITCHBOARD = "switchboard"
    MANAGEMENT = "management"


class Outcome(StrEnum):
    """How a contact ended."""

    ANSWERED = "answered"  # answered in the center (first-contact resolution)
    HANDOFF = "handoff"  # handed to the responsible department (主管課)
    CALLBACK = "callback"  # a call-back (折り返し架電) was arranged
    SWITCHBOARD_TRANSFER = "switchboard_transfer"  # put through by the switchboard (交換取次ぎ)


WORK_TYPE_LABELS_JA: dict[WorkType, str] = {
    WorkType.INQUIRY: "問合せ対応",
    WorkType.SWITCHBOARD: "交換業務",
    WorkType.MANAGEMENT: "運営管理",
}

OUTCOME_LABELS_JA: dict[Outcome, str] = {
    Outcome.ANSWERED: "センター内で回答",
    Outcome.HANDOFF: "担当課へ引継ぎ",
    Outcome.CALLBACK: "折り返し",
    Outcome.SWITCHBOARD_TRANSFER: "交換取次ぎ",
}

# Outcomes that name a department the contact went to.
HANDED_OVER: frozenset[Outcome] = frozenset({Outcome.HANDOFF, Outcome.SWITCHBOARD_TRANSFER})


class Interaction(SQLModel, table=True):
    """The current version of one contact's history; no field holds personal data (N-PRIV-1)."""

    __tablename__ = "interaction"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    contact_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    channel: str = Field(max_length=16)
    line: str | None = Field(default=None, max_length=32, index=True)
    menu: str | None = Field(default=None, max_length=32, index=True)
    work_type: str = Field(max_length=16, index=True)
    category1: str = Field(default="", max_length=100, index=True)
    category2: str = Field(default="", max_length=100)
    section: str | None = Field(default=None, max_length=32, index=True)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False))
    outcome: str = Field(max_length=24, index=True)
    handoff_dept: str | None = Field(default=None, max_length=32, index=True)
    started_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    saved_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    agent: str = Field(max_length=64, index=True)
    version: int = 1


class InteractionFaq(SQLModel, table=True):
    """A FAQ entry used for the answer (its id; the entry lives in crm.faq)."""

    __tablename__ = "interaction_faq"

    interaction_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
        )
    )
    faq_id: str = Field(sa_column=Column(String(32), primary_key=True, index=True))


class InteractionVersion(SQLModel, table=True):
    """One saved version: who saved it, when, why, and a snapshot of every field (JSON)."""

    __tablename__ = "interaction_version"

    interaction_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
        )
    )
    version: int = Field(primary_key=True)
    saved_by: str = Field(max_length=64)
    saved_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    reason: str = Field(default="", max_length=200)
    snapshot: str = Field(sa_column=Column(Text, nullable=False))


class HistoryCategory(SQLModel, table=True):
    """A 大分類/中分類 pair the history may use (seeded from the FAQ categories)."""

    __tablename__ = "history_category"
    __table_args__ = (UniqueConstraint("category1", "category2", name="uq_history_category"),)

    id: int | None = Field(default=None, primary_key=True)
    category1: str = Field(max_length=100)
    category2: str = Field(default="", max_length=100)
    position: int = 0
