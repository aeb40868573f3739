"""The typed error raised when forecast input (history, range, events) cannot be used."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from realtime.errors import MadoguchiError


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, in Japanese and English."""

    code: str
    message_ja: str
    message_en: str
    items: tuple[str, ...] = ()

    def render(self) -> str:
        """One human-readable line: Japanese, then English, then the affected items."""
        text = f"{self.message_ja} / {self.message_en}"
        if self.items:
            shown = ", ".join(self.items[:20])
            more = f" (+{len(self.items) - 20})" if len(self.items) > 20 else ""
            text += f": {shown}{more}"
        return text


class ForecastInputInvalid(MadoguchiError):
    """The history, the forecast range or the events cannot be used for a forecast."""

    error_id = "forecast-input-invalid"
    status_code = 422
    message_ja = "予測の入力データに誤りがあります。"

    def __init__(self, problems: list[Problem], *, source: str = "") -> None:
        details: list[dict[str, Any]] = [asdict(p) for p in problems]
        super().__init__(None, source=source, problems=details)
        self.problems = problems
        self.source = source

    def __str__(self) -> str:
        head = f"{self.message} / The forecast input is invalid"
        if self.source:
            head += f" ({self.source})"
        return head + ":\n" + "\n".join(f"- {p.render()}" for p in self.problems)
