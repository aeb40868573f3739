"""Typed errors for staffing input and targets that cannot be met."""

from __future__ import annotations

from typing import Any

from realtime.errors import MadoguchiError


class StaffingInputInvalid(MadoguchiError):
    """A number given to the staffing maths is out of range (negative calls, zero AHT...)."""

    error_id = "staffing-input-invalid"
    status_code = 422
    message_ja = "要員計算の入力値に誤りがあります。"

    def __init__(self, reason_ja: str, *, field: str, value: Any) -> None:
        super().__init__(f"{self.message_ja}{reason_ja}", field=field, value=value)
        self.reason_ja = reason_ja
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return f"{self.message} ({self.field}={self.value!r})"


class StaffingTargetImpossible(MadoguchiError):
    """No number of agents can meet the requested target; the reason says which part fails."""

    error_id = "staffing-target-impossible"
    status_code = 422
    message_ja = "指定された目標はどの人数でも達成できません。"

    def __init__(self, reason_ja: str, **data: Any) -> None:
        super().__init__(f"{self.message_ja}{reason_ja}", **data)
        self.reason_ja = reason_ja

    def __str__(self) -> str:
        return self.message


class PatienceSampleTooSmall(MadoguchiError):
    """Too few abandoned calls in the log to estimate the callers' patience."""

    error_id = "patience-sample-too-small"
    status_code = 422
    message_ja = "放棄呼の件数が少なすぎるため、待ち許容時間を推定できません。"

    def __init__(self, *, abandoned: int, minimum: int, total_wait_s: float) -> None:
        super().__init__(
            f"{self.message_ja}(放棄 {abandoned} 件、必要 {minimum} 件以上)",
            abandoned=abandoned,
            minimum=minimum,
            total_wait_s=total_wait_s,
        )
        self.abandoned = abandoned
        self.minimum = minimum

    def __str__(self) -> str:
        return self.message
