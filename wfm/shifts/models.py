"""Tables of shift planning: patterns, contracts, schedules and their assignments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from realtime.types import UtcDateTime


class ShiftPatternRow(SQLModel, table=True):
    """A shift pattern (勤務パターン): start, paid work minutes and the break placed in it."""

    __tablename__ = "wfm_shift_pattern"

    code: str = Field(
        sa_column=Column(String(32), primary_key=True), description="Pattern code (F8h-0900...)."
    )
    kind: str = Field(max_length=16, description="full_time or part_time.")
    start_min: int = Field(description="Start, minutes after midnight (Japan time).")
    work_min: int = Field(description="Paid working minutes (at most 480).")
    break_min: int = Field(description="Break minutes (45 over 6 h, 60 over 8 h of work).")
    break_start_min: int = Field(description="Break start, minutes after midnight.")
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(max_length=64, description="User who last changed the pattern.")


class AgentContractRow(SQLModel, table=True):
    """An agent's working contract (雇用条件) used when scheduling."""

    __tablename__ = "wfm_agent_contract"

    agent_id: str = Field(
        sa_column=Column(String(64), primary_key=True), description="Agent's user name."
    )
    kind: str = Field(max_length=16, description="full_time or part_time.")
    max_weekly_min: int = Field(description="Most working minutes a week (at most 2400).")
    min_weekly_min: int = Field(description="Fewest working minutes in a full week.")
    max_daily_min: int = Field(description="Most working minutes a day (at most 480).")
    max_days_per_week: int = Field(description="Most working days a week (1-6).")
    available_weekdays: str = Field(
        max_length=7, description="Weekdays the agent may work, digits 0 (Mon) to 6 (Sun)."
    )
    earliest_start_min: int = Field(description="Earliest shift start, minutes after midnight.")
    latest_end_min: int = Field(description="Latest shift end, minutes after midnight.")
    preferred_rest_weekdays: str = Field(
        max_length=7, description="Weekdays the agent prefers off, digits 0 (Mon) to 6 (Sun)."
    )
    unavailable_days: str = Field(
        default="[]",
        sa_column=Column(Text, nullable=False),
        description="JSON list of ISO dates the agent cannot work.",
    )
    updated_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Last change (UTC)."
    )
    updated_by: str = Field(max_length=64, description="User who last changed the contract.")


class ScheduleRow(SQLModel, table=True):
    """A solved schedule (シフト表) for a week or a month."""

    __tablename__ = "wfm_schedule"

    id: str = Field(sa_column=Column(String(36), primary_key=True), description="Schedule id.")
    name: str = Field(max_length=100, description="Name given by the scheduler.")
    first_day: date = Field(sa_column=Column(Date(), nullable=False), description="First day.")
    last_day: date = Field(sa_column=Column(Date(), nullable=False), description="Last day.")
    status: str = Field(max_length=16, description="Solver status: optimal or feasible.")
    slot_min: int = Field(description="Length of a requirement slot in minutes.")
    first_slot_min: int = Field(description="Start of the first slot, minutes after midnight.")
    under_min: int = Field(description="Agent-minutes of requirement not covered.")
    over_min: int = Field(description="Agent-minutes scheduled beyond the requirement.")
    requirement: str = Field(
        sa_column=Column(Text, nullable=False),
        description="JSON: required agents per slot for each day.",
    )
    warnings: str = Field(
        sa_column=Column(Text, nullable=False), description="JSON list of warnings (Japanese)."
    )
    created_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="When it was solved (UTC)."
    )
    created_by: str = Field(max_length=64, description="User who created the schedule.")


class AssignmentRow(SQLModel, table=True):
    """One agent's shift on one day of a schedule."""

    __tablename__ = "wfm_assignment"

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True), description="Row id."
    )
    schedule_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("wfm_schedule.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        description="The schedule it belongs to.",
    )
    agent_id: str = Field(max_length=64, index=True, description="Agent's user name.")
    day: date = Field(sa_column=Column(Date(), nullable=False, index=True), description="Day.")
    pattern_code: str = Field(max_length=32, description="Pattern worked.")
    start_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Shift start (UTC)."
    )
    end_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False), description="Shift end (UTC)."
    )
    break_start_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="Break start (UTC)."
    )
    break_end_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime()), description="Break end (UTC)."
    )
    work_min: int = Field(description="Paid working minutes of the shift.")
