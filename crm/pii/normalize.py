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


_FOLD_CACHE: dict[str, str] = {}
_FOLD_CACHE_LIMIT = 20_000


def _fold(cluster: str) -> str:
    """NFKC of one cluster, cached for single characters (most text repeats few of them)."""
    if len(cluster) > 1:
        return unicodedata.normalize("NFKC", cluster)
    folded = _FOLD_CACHE.get(cluster)
    if folded is None:
        folded = unicodedata.normalize("NFKC", cluster)
        if len(_FOLD_CACHE) < _FOLD_CACHE_LIMIT:
            _FOLD_CACHE[cluster] = folded
    return folded


def normalize(text: str) -> NormalizedText:
    """NFKC-normalise text, keeping an offset map back to the original."""
    if unicodedata.is_normalized("NFKC", text):
        positions = tuple(range(len(text)))
        return NormalizedText(text, text, positions, tuple(p + 1 for p in positions))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and (text[j] in _JOINING_MARKS or unicodedata.combining(text[j])):
            j += 1
        folded = _fold(text[i:j])
        parts.append(folded)
        if len(folded) == 1:
            starts.append(i)
            ends.append(j)
        else:
            starts.extend([i] * len(folded))
            ends.extend([j] * len(folded))
        i = j
    return NormalizedText(text, "".join(parts), tuple(starts), tuple(ends))
