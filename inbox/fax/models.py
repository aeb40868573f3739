"""Received faxes: the TIFF as received, the PDF and page images made from it, and its state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class FaxDocument(SQLModel, table=True):
    """One received fax (from FreeSWITCH or a fax-to-mail service)."""

    __tablename__ = "inbox_fax"

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True), description="Fax number."
    )
    source: str = Field(max_length=16, description="freeswitch (rxfax) or mail (fax-to-mail).")
    source_ref: str = Field(
        sa_column=Column(String(128), nullable=False, unique=True),
        description="Call UUID, or inbox message id and attachment part: received once.",
    )
    did: str = Field(default="", max_length=32, index=True, description="The fax number dialled.")
    remote_sealed: str = Field(
        default="",
        sa_column=Column(Text, nullable=False),
        description="Sender's station id / number, sealed (personal data).",
    )
    received_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When the fax arrived (UTC).",
    )
    due_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Answer by (received + 24 h)."
    )
    state: str = Field(max_length=16, index=True, description="queued or quarantined.")
    reasons: str = Field(
        default="[]",
        sa_column=Column(Text, nullable=False),
        description="JSON list of Japanese reasons (quarantine, conversion problems).",
    )
    pages: int = Field(default=0, description="Pages converted.")
    original_file_id: str = Field(
        max_length=64, description="Media id of the fax as received (TIFF or PDF), encrypted."
    )
    original_sha256: str = Field(max_length=64, description="SHA-256 of the received file.")
    original_type: str = Field(max_length=32, description="image/tiff or application/pdf.")
    pdf_file_id: str = Field(default="", max_length=64, description="Media id of the PDF made.")
    page_file_ids: str = Field(
        default="[]",
        sa_column=Column(Text, nullable=False),
        description="JSON list of media ids of the page PNGs (square pixels).",
    )
    ocr_category: str = Field(
        default="", max_length=64, description="Category suggested by OCR (empty: none)."
    )
    skill: str = Field(default="", max_length=64, description="Skill chosen by the sorting rules.")
    work_item_id: str | None = Field(
        default=None, max_length=36, description="The work item made for it (work_item.id)."
    )
    contact_id: str = Field(max_length=36, description="Contact id of its contact events.")
