"""Errors of the what-if calculation."""

from __future__ import annotations

from typing import Any

from realtime.errors import MadoguchiError


class WhatIfInputInvalid(MadoguchiError):
    """A base or a change that cannot be evaluated; the reason names the field."""

    error_id = "whatif-input-invalid"
    status_code = 422
    message_ja = "What-if 分析の入力値に誤りがあります。"

    def __init__(self, reason_ja: str, *, field: str, value: Any = None) -> None:
        super().__init__(f"{self.message_ja}{reason_ja}", field=field, value=value)
        self.reason_ja = reason_ja
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return f"{self.message} ({self.field}={self.value!r})"
