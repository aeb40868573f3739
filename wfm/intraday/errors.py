"""The typed error for intraday input (profile CSV, timestamps, re-forecast figures)."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class IntradayInputInvalid(MadoguchiError):
    """The profile history or the re-forecast input cannot be used."""

    error_id = "intraday-input-invalid"
    status_code = 422
    message_ja = "時間帯別データの入力に誤りがあります。"

    def __init__(self, reason_ja: str, *, source: str = "", where: str = "") -> None:
        super().__init__(f"{self.message_ja}{reason_ja}", source=source, where=where)
        self.reason_ja = reason_ja
        self.source = source
        self.where = where

    def __str__(self) -> str:
        place = " ".join(p for p in (self.source, self.where) if p)
        return f"{self.message} ({place})" if place else self.message
