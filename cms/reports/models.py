"""Tables of the reports: per-contact facts of closed days, operator peaks per hour, the rollup's
watermark, and the daily report drafts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, Float, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class ContactFactRow(SQLModel, table=True):
    """One contact of a closed day as the KPIs see it (cms.kpi ContactFacts), materialised."""

    __tablename__ = "report_contact_fact"

    contact_id: str = Field(
        sa_column=Column(String(36), primary_key=True),
        description="Contact id of the event log (contact_event.contact_id).",
    )
    received_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True),
        description="When the contact was received (UTC); decides its JST day and hour.",
    )
    receipt_inferred: bool = Field(
        sa_column=Column(Boolean, nullable=False),
        description="No contact.received event: received_at is the first event's time.",
    )
    kind: str = Field(
        sa_column=Column(String(16), nullable=False),
        description="call, covid, item, callback, outbound or unknown (docs/kpi.md Kinds).",
    )
    channel: str | None = Field(default=None, max_length=16, description="call, email, fax...")
    line: str | None = Field(default=None, max_length=32, description="Line or mailbox.")
    menu: str | None = Field(default=None, max_length=64, description="Last IVR menu chosen.")
    queue: str | None = Field(default=None, max_length=64, description="Last ACD queue.")
    agent: str | None = Field(default=None, max_length=64, description="First answering agent.")
    work_type: str | None = Field(default=None, max_length=32, description="Latest work type.")
    resolution: str | None = Field(default=None, max_length=32, description="Latest resolution.")
    section: str | None = Field(default=None, max_length=32, description="Section id (係).")
    category: str | None = Field(default=None, max_length=32, description="City category id.")
    queued_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="First queue entry."
    )
    answered_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="First answer (or item taken)."
    )
    wait_s: float | None = Field(
        default=None, sa_column=Column(Float), description="Seconds waited until the answer."
    )
    abandoned_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="Abandon (no answer)."
    )
    abandon_stage: str | None = Field(default=None, max_length=16, description="ivr/queue/offered.")
    abandon_wait_s: float | None = Field(
        default=None, sa_column=Column(Float), description="Seconds waited before abandoning."
    )
    ended_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="Latest contact.ended."
    )
    talk_s: float | None = Field(
        default=None, sa_column=Column(Float), description="Seconds of talk (ended calls)."
    )
    hold_s: float = Field(sa_column=Column(Float, nullable=False), description="Seconds on hold.")
    wrapup_s: float | None = Field(
        default=None, sa_column=Column(Float), description="Seconds of after-call work."
    )
    closed_guidance: bool = Field(
        sa_column=Column(Boolean, nullable=False),
        description="Only heard closed-hours guidance (not in service).",
    )
    transfers_out: str = Field(
        sa_column=Column(Text, nullable=False),
        description="Departments the call was handed to (JSON list of ids).",
    )
    forwarded_to: str = Field(
        sa_column=Column(Text, nullable=False),
        description="Departments the item was forwarded to (JSON list of ids).",
    )
    replied_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="First reply to the item."
    )
    violations: str = Field(
        sa_column=Column(Text, nullable=False),
        description="Compliance violation reason codes (JSON list).",
    )
    callback_requested: bool = Field(
        sa_column=Column(Boolean, nullable=False), description="A call-back was requested."
    )
    survey_score: int | None = Field(
        default=None,
        sa_column=Column(Integer),
        description="Latest satisfaction score 1-5 (survey.answered); empty when none.",
    )
    callback_reached: bool | None = Field(
        default=None,
        sa_column=Column(Boolean),
        description="Latest closed call-back reached the caller (callback.completed).",
    )
    escalated: bool = Field(
        sa_column=Column(Boolean, nullable=False),
        description="Escalated inside the center (a completed transfer to a queue or agent).",
    )
    first_event_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False),
        description="Time of the contact's earliest event.",
    )
    last_event_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False),
        description="Time of the contact's latest event.",
    )
    events: int = Field(
        sa_column=Column(Integer, nullable=False), description="Events folded into this row."
    )


class OperatorHourRow(SQLModel, table=True):
    """The most agents signed in at once during one JST clock hour of a closed day."""

    __tablename__ = "report_operator_hour"

    hour_start: datetime = Field(
        sa_column=Column(UtcDateTime(), primary_key=True),
        description="Start of the JST clock hour (stored as UTC).",
    )
    peak: int = Field(
        sa_column=Column(Integer, nullable=False), description="Most agents signed in at once."
    )


class RollupState(SQLModel, table=True):
    """A single row (id 1): how far the rollups have read the event log."""

    __tablename__ = "report_rollup_state"

    id: int = Field(default=1, primary_key=True, description="Always 1.")
    last_seq: int = Field(
        default=0, description="Highest contact_event.seq folded into the rollups."
    )
    closed_until: datetime | None = Field(
        default=None,
        sa_column=Column(UtcDateTime()),
        description="JST midnight before which every day is closed and rolled up.",
    )
    refreshed_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="Last refresh."
    )


class DailyReport(SQLModel, table=True):
    """The daily report of one JST day: numbers ① and narrative ②-⑤; draft → approved → sent."""

    __tablename__ = "daily_report"

    id: int | None = Field(default=None, primary_key=True, description="Row id.")
    day: date = Field(
        sa_column=Column(Date, unique=True, nullable=False), description="The JST day reported."
    )
    state: str = Field(
        default="draft", max_length=16, description="draft, approved or sent (never back)."
    )
    numbers: str = Field(
        sa_column=Column(Text, nullable=False),
        description="Numbers ① as JSON (computed from the event log when drafted).",
    )
    complaints: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="② 主なクレーム・課題等"
    )
    handoff_topics: str = Field(
        default="",
        sa_column=Column(Text, nullable=False),
        description="③ 所管課取次ぎ・転送に関するトピックス",
    )
    situation: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="④ 状況 (入電傾向等)"
    )
    covid_status: str = Field(
        default="",
        sa_column=Column(Text, nullable=False),
        description="⑤ 新型コロナウイルスに関する問合せ状況",
    )
    user_voices: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="利用者からの声"
    )
    suspicious_calls: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="不審電話情報"
    )
    drafted_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When drafted."
    )
    edited_by: str = Field(default="", max_length=64, description="Last supervisor to edit.")
    approved_by: str = Field(default="", max_length=64, description="Who approved it.")
    approved_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="When approved."
    )
    sent_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="When the mail was accepted."
    )
    send_attempts: int = Field(default=0, description="SMTP attempts so far.")
    last_error: str = Field(
        default="", sa_column=Column(Text, nullable=False), description="Last sending error."
    )


class ReportRecipient(SQLModel, table=True):
    """An address the daily report is mailed to, kept by administrators (audited)."""

    __tablename__ = "report_recipient"

    id: int | None = Field(default=None, primary_key=True, description="Recipient number.")
    address: str = Field(max_length=254, unique=True, description="E-mail address.")
    name_ja: str = Field(default="", max_length=100, description="Whose address (city section).")
    added_by: str = Field(max_length=64, description="Administrator who added it.")
    added_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was added (UTC)."
    )
