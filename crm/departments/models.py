"""The departments directory: 部/課/係, what each handles and its extension number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class Department(SQLModel, table=True):
    """One section (係) of the city office; ``dept_id`` is the city's own code (D01...)."""

    __tablename__ = "department"

    dept_id: str = Field(sa_column=Column(String(32), primary_key=True))
    bu: str = Field(default="", max_length=64)
    ka: str = Field(default="", max_length=64)
    kakari: str = Field(default="", max_length=64)
    extension: str = Field(default="", max_length=32)
    handles: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    @property
    def display_name(self) -> str:
        """部 課 係 as one label."""
        return " ".join(p for p in (self.bu, self.ka, self.kakari) if p)
