"""Agent contracts: full or part time, weekly and daily limits, availability, rest preferences."""

from __future__ import annotations

from dataclasses import dataclass, field

from wfm.shifts.errors import ShiftInputInvalid
from wfm.shifts.labour import MAX_CONSECUTIVE_DAYS, MAX_DAILY_WORK_MIN, MAX_WEEKLY_WORK_MIN
from wfm.shifts.patterns import DAY_MIN, ShiftKind, ShiftPattern

ALL_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True)
class AgentContract:
    """What one agent may work. Weekdays are 0 = Monday ... 6 = Sunday."""

    agent_id: str
    kind: ShiftKind = ShiftKind.FULL_TIME
    max_weekly_min: int = MAX_WEEKLY_WORK_MIN
    min_weekly_min: int = 0
    max_daily_min: int = MAX_DAILY_WORK_MIN
    max_days_per_week: int = 5
    available_weekdays: frozenset[int] = ALL_WEEKDAYS
    earliest_start_min: int = 0
    latest_end_min: int = DAY_MIN
    preferred_rest_weekdays: frozenset[int] = frozenset()
    unavailable_days: frozenset[str] = field(default_factory=frozenset)
    """ISO dates the agent cannot work (leave, training)."""

    def check(self) -> None:
        """Raise ShiftInputInvalid naming the first field that breaks the law or makes no sense."""
        if not self.agent_id or len(self.agent_id) > 64:
            raise ShiftInputInvalid(
                "担当者IDは 1〜64 文字です。", field="agent_id", value=self.agent_id
            )
        if not 0 < self.max_weekly_min <= MAX_WEEKLY_WORK_MIN:
            raise ShiftInputInvalid(
                "週の労働時間の上限は 40 時間(2400 分)以内で指定してください(労働基準法第32条)。",
                field="max_weekly_min",
                value=self.max_weekly_min,
            )
        if not 0 < self.max_daily_min <= MAX_DAILY_WORK_MIN:
            raise ShiftInputInvalid(
                "1 日の労働時間の上限は 8 時間(480 分)以内で指定してください(労働基準法第32条)。",
                field="max_daily_min",
                value=self.max_daily_min,
            )
        if not 0 <= self.min_weekly_min <= self.max_weekly_min:
            raise ShiftInputInvalid(
                "週の最低労働時間は 0 以上、上限以下で指定してください。",
                field="min_weekly_min",
                value=self.min_weekly_min,
            )
        if not 1 <= self.max_days_per_week <= MAX_CONSECUTIVE_DAYS:
            raise ShiftInputInvalid(
                "週の勤務日数は 1〜6 日です(毎週少なくとも 1 日の休日、労働基準法第35条)。",
                field="max_days_per_week",
                value=self.max_days_per_week,
            )
        if not self.available_weekdays or not self.available_weekdays <= ALL_WEEKDAYS:
            raise ShiftInputInvalid(
                "勤務可能な曜日を 1 つ以上指定してください。",
                field="available_weekdays",
                value=sorted(self.available_weekdays),
            )
        if not 0 <= self.earliest_start_min < self.latest_end_min <= DAY_MIN:
            raise ShiftInputInvalid(
                "勤務可能時間帯の開始は終了より前にしてください。",
                field="earliest_start_min",
                value=self.earliest_start_min,
            )

    def allows(self, pattern: ShiftPattern) -> bool:
        """Whether the pattern fits this contract's kind, daily limit and time window."""
        return (
            pattern.kind is self.kind
            and pattern.work_min <= self.max_daily_min
            and pattern.start_min >= self.earliest_start_min
            and pattern.end_min <= self.latest_end_min
        )
