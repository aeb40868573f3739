"""Errors of the business calendar; each carries the data that caused it."""

from __future__ import annotations

from datetime import datetime

from realtime.errors import MadoguchiError


class NaiveDatetimeError(MadoguchiError):
    """A moment without a timezone: the calendar cannot tell which Japan time it is."""

    error_id = "naive-datetime"
    status_code = 400
    message_ja = "日時にタイムゾーンが指定されていません。"

    def __init__(self, *, value: datetime) -> None:
        super().__init__(value=value.isoformat())
        self.value = value


class UnknownLine(MadoguchiError):
    """A dialled number (DID) that the calendar has no hours for."""

    error_id = "unknown-line"
    status_code = 404
    message_ja = "この電話番号の受付時間が登録されていません。"

    def __init__(self, *, did: str, known: list[str]) -> None:
        super().__init__(did=did, known=known)
        self.did = did
        self.known = known


class HolidayDataUnavailable(MadoguchiError):
    """A year outside the range the holiday data covers (guessing would misroute calls)."""

    error_id = "holiday-data-unavailable"
    status_code = 422
    message_ja = "指定された年の祝日情報がありません。"

    def __init__(self, *, year: int, first_year: int, last_year: int) -> None:
        super().__init__(year=year, first_year=first_year, last_year=last_year)
        self.year = year
        self.first_year = first_year
        self.last_year = last_year


class InvalidCalendarData(MadoguchiError):
    """A calendar object built from inconsistent values (e.g. a window ending before it starts)."""

    error_id = "invalid-calendar-data"
    status_code = 422
    message_ja = "営業カレンダーの設定内容に誤りがあります。"

    def __init__(self, *, field: str, problem: str) -> None:
        super().__init__(fields={field: problem})
        self.field = field
        self.problem = problem
