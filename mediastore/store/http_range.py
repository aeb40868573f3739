"""Parse an HTTP ``Range`` request header for one representation (RFC 9110 section 14).

Only single ``bytes`` ranges are served: ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n``. A
multi-range request, another unit or a malformed value is answered with the whole file (200),
which RFC 9110 allows a server to do for any Range it does not support. A well-formed range that
starts at or beyond the end (or any range on an empty file) is 416 with ``bytes */length``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
_MAX_DIGITS = 19


@dataclass(frozen=True)
class RangeDecision:
    """What to send: status 200 (whole), 206 (part) or 416; ``end`` is exclusive."""

    status: int
    start: int
    end: int
    length: int
    note: str = ""

    @property
    def content_length(self) -> int:
        return self.end - self.start

    @property
    def content_range(self) -> str | None:
        """The Content-Range header value for 206 and 416, None for 200."""
        if self.status == 206:
            return f"bytes {self.start}-{self.end - 1}/{self.length}"
        if self.status == 416:
            return f"bytes */{self.length}"
        return None


def parse_range(header: str | None, *, length: int) -> RangeDecision:
    """Decide the response to a ``Range`` header for a representation of ``length`` bytes."""
    whole = RangeDecision(status=200, start=0, end=length, length=length)
    if header is None or not header.strip():
        return whole
    unit, sep, spec = header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return RangeDecision(200, 0, length, length, note="unsupported range unit ignored")
    if "," in spec:
        return RangeDecision(200, 0, length, length, note="multiple ranges not supported")
    match = _SPEC.match(spec)
    if match is None:
        return RangeDecision(200, 0, length, length, note="malformed range ignored")
    first_text, last_text = match.groups()
    if len(first_text) > _MAX_DIGITS or len(last_text) > _MAX_DIGITS:
        return RangeDecision(200, 0, length, length, note="malformed range ignored")
    unsatisfiable = RangeDecision(416, 0, 0, length, note="range not satisfiable")
    if not first_text:
        if not last_text:
            return RangeDecision(200, 0, length, length, note="malformed range ignored")
        suffix = int(last_text)
        if suffix == 0 or length == 0:
            return unsatisfiable
        return RangeDecision(206, max(length - suffix, 0), length, length)
    first = int(first_text)
    if last_text and int(last_text) < first:
        return RangeDecision(200, 0, length, length, note="malformed range ignored")
    if first >= length:
        return unsatisfiable
    end = length if not last_text else min(int(last_text) + 1, length)
    return RangeDecision(206, first, end, length)
