"""Scan verdicts: whether an attachment or fax file may be opened at the desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class ScanVerdict(SQLModel, table=True):
    """The scanning hook's verdict on one file; only ``clean`` files are served to agents."""

    __tablename__ = "inbox_scan_verdict"

    file_key: str = Field(
        sa_column=Column(String(160), primary_key=True),
        description="What was scanned: media id, or media id and MIME part of an attachment.",
    )
    verdict: str = Field(
        max_length=16,
        description="clean, quarantined, or held (scanner unavailable; scanned again).",
    )
    reason: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="Japanese reason."
    )
    scanner: str = Field(max_length=32, description="Which scanner decided: policy or clamd.")
    filename: str = Field(default="", max_length=255, description="File name as attached.")
    content_type: str = Field(default="", max_length=128, description="Declared MIME type.")
    size: int = Field(default=0, description="Size in bytes.")
    sha256: str = Field(default="", max_length=64, description="SHA-256 of the content.")
    scanned_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was scanned (UTC)."
    )
