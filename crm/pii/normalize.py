"""NFKC normalisation that remembers where every normalised character came from."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Marks that NFKC folds into the preceding character (half-width and combining voicing marks).
_JOINING_MARKS = frozenset("\uff9e\uff9f\u3099\u309a")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalised text plus, for each of its characters, the original [start, end) it came from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty [start, end) of the normalised text to the original string."""
        return self.starts[start], self.ends[end - 1]


def _clusters(text: str) -> list[tuple[int, int]]:
    """Split text into a base character plus the marks that NFKC may merge into it."""
    bounds: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and (text[j] in _JOINING_MARKS or unicodedata.combining(text[j])):
            j += 1
        bounds.append((i, j))
        i = j
    return bounds


def normalize(text: str) -> NormalizedText:
    """NFKC-normalise text, keeping an offset map back to the original."""
    if unicodedata.is_normalized("NFKC", text):
        positions = tuple(range(len(text)))
        return NormalizedText(text, text, positions, tuple(p + 1 for p in positions))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for begin, end in _clusters(text):
        folded = unicodedata.normalize("NFKC", text[begin:end])
        parts.append(folded)
        starts.extend([begin] * len(folded))
        ends.extend([end] * len(folded))
    return NormalizedText(text, "".join(parts), tuple(starts), tuple(ends))
