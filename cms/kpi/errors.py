"""Errors of KPI reports; each carries the data that caused it."""

from __future__ import annotations

from datetime import datetime

from realtime.errors import MadoguchiError


class InvalidPeriod(MadoguchiError):
    """A report period that is empty, reversed or without a timezone."""

    error_id = "invalid-report-period"
    status_code = 422
    message_ja = "集計期間が正しくありません。開始日時は終了日時より前にしてください。"

    def __init__(self, *, start: datetime, end: datetime, reason: str) -> None:
        super().__init__(start=start.isoformat(), end=end.isoformat(), reason=reason)
        self.start = start
        self.end = end
        self.reason = reason


class PeriodInFuture(MadoguchiError):
    """A report asked for a period that has not ended yet: its numbers would be wrong."""

    error_id = "report-period-in-future"
    status_code = 422
    message_ja = "まだ終わっていない期間の報告は作成できません。終了日時を現在以前にしてください。"

    def __init__(self, *, end: datetime, now: datetime) -> None:
        super().__init__(end=end.isoformat(), now=now.isoformat())
        self.end = end
        self.now = now


class UnknownDimension(MadoguchiError):
    """A grouping the report does not know."""

    error_id = "unknown-report-dimension"
    status_code = 422
    message_ja = "指定された集計区分はありません。"

    def __init__(self, *, name: str, known: list[str]) -> None:
        super().__init__(name=name, known=known)
        self.name = name
        self.known = known
