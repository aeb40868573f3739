"""Result types of the personal-data guard."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PiiType(StrEnum):
    """The kinds of personal data the guard looks for (N-PRIV-1); fax numbers count as phone."""

    PHONE = "phone"
    EMAIL = "email"
    NAME = "name"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its type and its [start, end) span in the original text."""

    type: PiiType
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, str | int]:
        """The JSON shape used by the CLI and the API."""
        return {"type": self.type.value, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Span:
    """A match in the normalised text, before it is mapped back to the original."""

    type: PiiType
    start: int
    end: int
