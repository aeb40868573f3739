"""The personal-data guard: names, phone/fax numbers, e-mail and street addresses (N-PRIV-1)."""

from __future__ import annotations

from collections.abc import Callable

from crm.pii.address import find_addresses
from crm.pii.email import find_emails
from crm.pii.models import Finding, PiiType, Span
from crm.pii.names import find_names
from crm.pii.normalize import normalize
from crm.pii.phone import find_phones

# Detectors in priority order: when two findings overlap, the earlier type wins.
_DETECTORS: tuple[tuple[PiiType, Callable[[str], list[tuple[int, int]]]], ...] = (
    (PiiType.EMAIL, find_emails),
    (PiiType.PHONE, find_phones),
    (PiiType.ADDRESS, find_addresses),
    (PiiType.NAME, find_names),
)


def _resolve(spans: list[Span]) -> list[Span]:
    """Drop spans that overlap a higher-priority one; merge overlapping spans of one type."""
    kept: list[Span] = []
    for span in spans:
        overlapping = [k for k in kept if k.start < span.end and span.start < k.end]
        if not overlapping:
            kept.append(span)
            continue
        same = [k for k in overlapping if k.type == span.type]
        if same and len(same) == len(overlapping):
            for k in same:
                kept.remove(k)
            start = min(span.start, *(k.start for k in same))
            end = max(span.end, *(k.end for k in same))
            kept.append(Span(span.type, start, end))
    return sorted(kept, key=lambda s: (s.start, s.end))


def scan(text: str) -> list[Finding]:
    """Find personal data in one text; spans refer to the original (unnormalised) string."""
    normalized = normalize(text)
    spans = [
        Span(kind, start, end)
        for kind, detect in _DETECTORS
        for start, end in detect(normalized.text)
        if end > start
    ]
    findings: list[Finding] = []
    for span in _resolve(spans):
        start, end = normalized.original_span(span.start, span.end)
        findings.append(Finding(span.type, start, end, text[start:end]))
    return findings


def contains_personal_data(text: str) -> bool:
    """Whether the text holds any name, phone/fax number, e-mail or street address."""
    return bool(scan(text))
