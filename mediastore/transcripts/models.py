"""Transcription queue and transcript tables (text is stored with personal data masked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class TranscriptJob(SQLModel, table=True):
    """One recording waiting for, or going through, transcription."""

    __tablename__ = "transcript_job"

    id: int | None = Field(default=None, primary_key=True, description="Job number.")
    recording_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("recording.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        description="Recording to transcribe.",
    )
    status: str = Field(
        default="queued", max_length=16, index=True, description="queued, running, done, failed."
    )
    progress: int = Field(default=0, description="Percent done (0-100).")
    channels_done: int = Field(default=0, description="Channels finished so far.")
    channels_total: int = Field(default=0, description="Channels in the recording.")
    error: str = Field(default="", max_length=300, description="Why the job failed.")
    requested_by: str = Field(default="", max_length=64, description="Who asked (or system).")
    created_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When queued (UTC)."
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )


class TranscriptSegment(SQLModel, table=True):
    """One stretch of speech on one channel; text and words are masked by the PII guard."""

    __tablename__ = "transcript_segment"

    id: int | None = Field(default=None, primary_key=True, description="Segment number.")
    recording_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("recording.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        description="Recording the segment belongs to.",
    )
    channel: str = Field(max_length=8, description="agent (left channel) or caller (right).")
    start_s: float = Field(description="Start, seconds from the beginning of the recording.")
    end_s: float = Field(description="End, seconds from the beginning of the recording.")
    text: str = Field(
        sa_column=Column(Text, nullable=False), description="Spoken text, personal data masked."
    )
    words: str = Field(
        sa_column=Column(Text, nullable=False),
        description="JSON list of [start, end, word] with personal data masked.",
    )
    masked: int = Field(default=0, description="Personal-data spans masked in this segment.")
