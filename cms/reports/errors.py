"""Errors of the reports; each carries the data that caused it."""

from __future__ import annotations

from datetime import date, datetime

from realtime.errors import MadoguchiError


class RollupInFuture(MadoguchiError):
    """Rollups were asked to close a day that has not ended."""

    error_id = "rollup-in-future"
    status_code = 422
    message_ja = "まだ終わっていない日は集計できません。"

    def __init__(self, *, until: datetime, now: datetime) -> None:
        super().__init__(until=until.isoformat(), now=now.isoformat())
        self.until = until
        self.now = now


class DailyReportNotFound(MadoguchiError):
    """No daily report for that day."""

    error_id = "daily-report-not-found"
    status_code = 404
    message_ja = "指定された日の日報はありません。"

    def __init__(self, *, day: date) -> None:
        super().__init__(day=day.isoformat())
        self.day = day


class DailyReportState(MadoguchiError):
    """The daily report is not in a state that allows this step (draft → approved → sent)."""

    error_id = "daily-report-state"
    status_code = 409
    message_ja = "この日報は現在の状態ではその操作ができません（下書き→承認→送信の順です）。"

    def __init__(self, *, day: date, state: str, wanted: str) -> None:
        super().__init__(day=day.isoformat(), state=state, wanted=wanted)
        self.day = day
        self.state = state
        self.wanted = wanted


class MailNotConfigured(MadoguchiError):
    """Sending was asked without an SMTP host, a sender or recipients."""

    error_id = "report-mail-not-configured"
    status_code = 422
    message_ja = "日報の送信先またはメールサーバーが設定されていません。"

    def __init__(self, *, missing: list[str]) -> None:
        super().__init__(missing=missing)
        self.missing = missing


class MailSendFailed(MadoguchiError):
    """The mail server did not accept the daily report after every retry."""

    error_id = "report-mail-failed"
    status_code = 502
    message_ja = (
        "日報のメール送信に失敗しました。承認済みのまま保存されています。再送してください。"
    )

    def __init__(self, *, day: date, attempts: int, error: str) -> None:
        super().__init__(day=day.isoformat(), attempts=attempts, error=error)
        self.day = day
        self.attempts = attempts
        self.error = error


class InvalidReportRequest(MadoguchiError):
    """A report request that cannot be answered (a bad month or fiscal year)."""

    error_id = "invalid-report-request"
    status_code = 422
    message_ja = "報告の対象期間が正しくありません。"

    def __init__(self, *, reason: str) -> None:
        super().__init__(reason=reason)
        self.reason = reason
