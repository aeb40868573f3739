"""Errors of the mail parser that reach users."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class MailUnparseable(MadoguchiError):
    """Raised only when there is nothing to parse at all (empty input)."""

    error_id = "mail-unparseable"
    status_code = 422
    message_ja = "メールの内容が空のため、解析できません。"

    def __init__(self, *, size: int) -> None:
        super().__init__(size=size)
        self.size = size
