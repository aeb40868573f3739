"""Typed errors of shift planning: bad input, labour-law breaches, infeasible schedules."""

from __future__ import annotations

from typing import Any

from realtime.errors import MadoguchiError


class ShiftInputInvalid(MadoguchiError):
    """A pattern, contract or requirement is out of range (the reason names the field)."""

    error_id = "shift-input-invalid"
    status_code = 422
    message_ja = "シフト作成の入力値に誤りがあります。"

    def __init__(self, reason_ja: str, *, field: str, value: Any = None) -> None:
        super().__init__(f"{self.message_ja}{reason_ja}", field=field, value=value)
        self.reason_ja = reason_ja
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return f"{self.message} ({self.field}={self.value!r})"


class ScheduleInfeasible(MadoguchiError):
    """The hard limits (labour law, contracts) contradict each other; ``problems`` say where."""

    error_id = "schedule-infeasible"
    status_code = 422
    message_ja = "労働時間の制約を満たすシフトを作成できません。"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{self.message_ja}{' / '.join(problems)}", problems=problems)
        self.problems = problems

    def __str__(self) -> str:
        return self.message


class ScheduleTimeout(MadoguchiError):
    """The solver found no schedule within its time limit."""

    error_id = "schedule-timeout"
    status_code = 422
    message_ja = (
        "制限時間内にシフトを作成できませんでした。制限時間を延ばすか対象期間を短くしてください。"
    )

    def __init__(self, *, time_limit_s: float) -> None:
        super().__init__(time_limit_s=time_limit_s)
        self.time_limit_s = time_limit_s


class ScheduleNotFound(MadoguchiError):
    """No schedule, pattern or contract with that id."""

    error_id = "wfm-not-found"
    status_code = 404
    message_ja = "指定されたシフト情報が見つかりません。"
