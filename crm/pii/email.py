"""E-mail addresses, also full-width (NFKC makes them ASCII) and with a spelled-out @ or dot."""

from __future__ import annotations

import re

_SPOKEN_DOT = r"\s*(?:ドット|どっと)\s*"
_DOT = rf"(?:\.|{_SPOKEN_DOT})"
_AT = r"(?:\s?@\s?|\s*(?:アットマーク|あっとまーく|アット|\(at\)|\[at\])\s*)"
_LOCAL_PART = rf"[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]|{_SPOKEN_DOT}(?=[A-Za-z0-9]))*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-]){_LOCAL_PART}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,}}"
    r"(?![A-Za-z0-9\-])",
    re.IGNORECASE,
)


def find_emails(text: str) -> list[tuple[int, int]]:
    """Spans of e-mail addresses in NFKC-normalised text."""
    return [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
