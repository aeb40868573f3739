"""The sorting rules table: which skill (queue) received mail and faxes go to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class SortRule(SQLModel, table=True):
    """One sorting rule, edited by administrators; the first enabled match by priority wins."""

    __tablename__ = "inbox_sort_rule"

    id: int | None = Field(
        default=None,
        sa_column=Column(Integer, primary_key=True),
        description="Rule number.",
    )
    name: str = Field(max_length=64, description="Administrator's label of the rule.")
    priority: int = Field(
        default=100, description="Evaluation order: lower numbers are tried first."
    )
    field: str = Field(
        max_length=16,
        description="What the rule looks at: recipient, subject, sender or fax_did.",
    )
    pattern: str = Field(
        sa_column=Column(String(200), nullable=False),
        description="Address, domain, subject regular expression or fax DID to match.",
    )
    skill: str = Field(max_length=64, description="Skill (queue) a matching item goes to.")
    enabled: bool = Field(default=True, description="False: the rule is kept but not applied.")
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(default="", max_length=64, description="Who changed it last.")
