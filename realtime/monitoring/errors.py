"""Errors of the monitor that reach users."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class AlertNotFound(MadoguchiError):
    """No alert with this number."""

    error_id = "alert-not-found"
    status_code = 404
    message_ja = "指定された警報が見つかりません。"

    def __init__(self, *, alert_id: str) -> None:
        super().__init__(alert_id=alert_id)
        self.alert_id = alert_id


class InvalidDate(MadoguchiError):
    """A date that is missing or not YYYY-MM-DD."""

    error_id = "invalid-date"
    status_code = 422
    message_ja = "日付は YYYY-MM-DD の形式で指定してください。"

    def __init__(self, *, value: str) -> None:
        super().__init__(value=value[:32], fields={"date": self.message_ja})
        self.value = value
