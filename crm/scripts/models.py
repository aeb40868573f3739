"""Talk scripts (会話例): steps, items to confirm and hand-off criteria, as JSON lists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class TalkScript(SQLModel, table=True):
    """One script for a work type (業務) and, when set, one IVR menu."""

    __tablename__ = "talk_script"

    script_id: str = Field(sa_column=Column(String(32), primary_key=True))
    work_type: str = Field(max_length=64, index=True)
    menu: str | None = Field(default=None, max_length=32, index=True)
    title: str = Field(max_length=200)
    steps: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    confirm_items: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    handoff_criteria: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_by: str = Field(default="", max_length=64)
    version: int = 1
