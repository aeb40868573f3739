"""The work item table: one row per call, e-mail, fax or call-back waiting for an agent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class ItemKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    FAX = "fax"
    CALLBACK = "callback"


class ItemState(StrEnum):
    QUEUED = "queued"
    OFFERED = "offered"
    IN_PROGRESS = "in_progress"
    PARKED = "parked"
    DONE = "done"


class ItemResult(StrEnum):
    """How an item was closed."""

    HANDLED = "handled"  # a call handled (its history is in crm.interactions)
    REPLIED = "replied"  # a mail or fax answered
    FORWARDED = "forwarded"  # a mail or fax forwarded to a department
    REACHED = "reached"  # a call-back made and the caller reached
    UNREACHED = "unreached"  # a call-back made, the caller not reached
    CANCELLED = "cancelled"  # withdrawn (duplicate, the caller called again...)


OPEN_STATES: frozenset[ItemState] = frozenset(
    {ItemState.QUEUED, ItemState.OFFERED, ItemState.IN_PROGRESS, ItemState.PARKED}
)

KIND_LABELS_JA: dict[ItemKind, str] = {
    ItemKind.CALL: "電話",
    ItemKind.EMAIL: "メール",
    ItemKind.FAX: "FAX",
    ItemKind.CALLBACK: "折り返し",
}


class WorkItem(SQLModel, table=True):
    """One contact in the shared queue. ``version`` guards every state change (optimistic
    concurrency); a call-back's number is sealed in ``callback_number_enc`` and erased on close."""

    __tablename__ = "work_item"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    kind: str = Field(max_length=16, index=True)
    state: str = Field(max_length=16, index=True)
    skill: str | None = Field(default=None, max_length=64, index=True)
    owner: str | None = Field(default=None, max_length=64, index=True)
    contact_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    source_ref: str | None = Field(default=None, max_length=255)
    line: str | None = Field(default=None, max_length=32)
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    taken_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), index=True))
    result: str | None = Field(default=None, max_length=16)
    result_dept: str | None = Field(default=None, max_length=32)
    callback_number_enc: str | None = Field(default=None, sa_column=Column(Text))
    version: int = 1
