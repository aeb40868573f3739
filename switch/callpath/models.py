"""Tables of the call-path configuration; every change is made by an administrator (audited)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class CallpathLine(SQLModel, table=True):
    """A dialled number (DID) the center answers: its name, hours and root IVR menu."""

    __tablename__ = "callpath_line"

    did: str = Field(
        primary_key=True, max_length=16, description="Dialled number, national digits."
    )
    name_ja: str = Field(max_length=100, description="Name of the line shown to staff.")
    root_node: str | None = Field(
        default=None, max_length=32, description="IVR menu node callers hear first."
    )
    hours: str = Field(
        default="{}",
        sa_column=Column(Text, nullable=False),
        description="Weekly windows per service (live, switchboard, intake) as JSON.",
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(max_length=64, description="Administrator who changed it last.")
    kind: str = Field(
        default="voice",
        max_length=8,
        description="voice (IVR and queues) or fax (received by rxfax into the fax intake).",
    )
    survey_percent: int = Field(
        default=0, description="Share of answered calls (0-100 %) asked the satisfaction survey."
    )


class CallpathNode(SQLModel, table=True):
    """One IVR menu: its prompt, DTMF choices, timeout, retries and guidance keys."""

    __tablename__ = "callpath_node"

    node_id: str = Field(primary_key=True, max_length=32, description="Menu node id.")
    did: str = Field(max_length=16, index=True, description="Line the menu belongs to.")
    menu_key: str = Field(max_length=32, description="Menu key kept with the call (history).")
    label_ja: str = Field(max_length=100, description="Menu name shown to agents.")
    prompt_key: str = Field(max_length=64, description="Guidance audio played as the prompt.")
    timeout_ms: int = Field(default=5000, description="Milliseconds to wait for a choice.")
    retries: int = Field(default=3, description="Attempts before the failure guidance.")
    invalid_key: str = Field(
        default="", max_length=64, description="Guidance played after a wrong choice."
    )
    failed_key: str = Field(
        default="", max_length=64, description="Guidance played when no valid choice came."
    )
    choices: str = Field(
        default="{}",
        sa_column=Column(Text, nullable=False),
        description="DTMF digit to target (menu, queue or switchboard queue) as JSON.",
    )
    queue_id: str | None = Field(
        default=None, max_length=32, description="Queue a caller reaching this menu joins."
    )
    switchboard: bool = Field(
        default=False, description="Switchboard (交換) menu: only while the switchboard is open."
    )
    faq_category: str = Field(
        default="", max_length=100, description="FAQ 大分類 offered in the screen pop."
    )
    script_work_type: str = Field(
        default="", max_length=64, description="Talk-script work type for the screen pop."
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(max_length=64, description="Administrator who changed it last.")


class CallpathQueue(SQLModel, table=True):
    """An ACD queue: the skill it needs, priority, overflow rule and announcement period."""

    __tablename__ = "callpath_queue"

    queue_id: str = Field(primary_key=True, max_length=32, description="Queue id.")
    label_ja: str = Field(max_length=100, description="Queue name shown to staff.")
    skill_group: str = Field(max_length=32, description="Skill group an agent needs.")
    min_level: int = Field(default=1, description="Minimum level in the skill group.")
    priority: int = Field(default=0, description="Higher is served first.")
    overflow_after_s: float | None = Field(
        default=None, description="Seconds in queue before moving to the overflow queue."
    )
    overflow_to: str | None = Field(
        default=None, max_length=32, description="Queue the waiting caller overflows to."
    )
    announce_every_s: float | None = Field(
        default=60.0, description="Seconds between position and expected-wait announcements."
    )
    callback_after_s: float | None = Field(
        default=None,
        description="Expected or actual wait (seconds) from which a call-back is offered.",
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(max_length=64, description="Administrator who changed it last.")


class CallpathAgent(SQLModel, table=True):
    """An agent's phone extension and skill groups with levels."""

    __tablename__ = "callpath_agent"

    username: str = Field(primary_key=True, max_length=64, description="The agent's user name.")
    extension: str = Field(max_length=16, description="WebRTC phone extension (user/<ext>).")
    skills: str = Field(
        default="{}",
        sa_column=Column(Text, nullable=False),
        description="Skill group to level (1 = basic) as JSON.",
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(max_length=64, description="Administrator who changed it last.")


class CallpathEmergency(SQLModel, table=True):
    """Emergency operation (N-BCP-1): one row, switched by supervisors at the city's request."""

    __tablename__ = "callpath_emergency"

    id: int = Field(default=1, primary_key=True, description="Always 1 (a single state).")
    active: bool = Field(default=False, description="Whether emergency operation is on.")
    message_key: str = Field(default="", max_length=64, description="Emergency guidance audio.")
    overflow_number: str | None = Field(
        default=None, max_length=16, description="Other site's number callers are sent to."
    )
    menu_node: str | None = Field(
        default=None, max_length=32, description="Disaster menu played instead of the normal one."
    )
    changed_by: str = Field(default="", max_length=64, description="Who switched it last.")
    changed_at: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime(), nullable=True),
        description="When it was switched last (UTC).",
    )


class CallpathSound(SQLModel, table=True):
    """A guidance recording uploaded by an administrator, stored as 8 kHz mono 16-bit WAV."""

    __tablename__ = "callpath_sound"

    sound_key: str = Field(primary_key=True, max_length=64, description="Guidance key.")
    label_ja: str = Field(default="", max_length=100, description="What the guidance says.")
    file_name: str = Field(max_length=128, description="File under the sounds folder.")
    duration_s: float = Field(description="Length in seconds.")
    source_rate: int = Field(description="Sample rate of the uploaded file (Hz).")
    source_channels: int = Field(description="Channels of the uploaded file.")
    uploaded_by: str = Field(max_length=64, description="Administrator who uploaded it.")
    uploaded_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Upload time (UTC)."
    )


class CallpathClosure(SQLModel, table=True):
    """A whole day an administrator closed (e.g. maintenance): which services stop, where."""

    __tablename__ = "callpath_closure"

    id: int | None = Field(default=None, primary_key=True, description="Closure number.")
    day: date = Field(
        sa_column=Column(Date, nullable=False, index=True), description="Closed day (Japan)."
    )
    reason_ja: str = Field(max_length=100, description="Why the day is closed.")
    services: str = Field(
        max_length=64, description="Services stopped, comma-separated (live, switchboard, intake)."
    )
    dids: str = Field(
        default="", max_length=255, description="Lines it applies to, comma-separated; empty: all."
    )
    created_by: str = Field(max_length=64, description="Administrator who added it.")
    created_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was added (UTC)."
    )
