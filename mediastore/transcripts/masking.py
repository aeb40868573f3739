"""Mask personal data in recognised speech with the CRM guard before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass

from crm.pii.detector import scan
from crm.pii.models import Finding, PiiType
from mediastore.transcripts.engine import Segment, Word

LABELS: dict[PiiType, str] = {
    PiiType.NAME: "［氏名］",
    PiiType.PHONE: "［電話番号］",
    PiiType.EMAIL: "［メール］",
    PiiType.ADDRESS: "［住所］",
}


@dataclass(frozen=True)
class MaskedSegment:
    """A segment safe to store: text and words with personal data replaced by labels."""

    start: float
    end: float
    text: str
    words: list[Word]
    masked: int


def mask_text(text: str) -> tuple[str, int]:
    """``text`` with each finding replaced by its label, and how many were replaced."""
    findings = scan(text)
    return _replace(text, findings), len(findings)


def _replace(text: str, findings: list[Finding]) -> str:
    out: list[str] = []
    pos = 0
    for finding in findings:
        out.append(text[pos : finding.start])
        out.append(LABELS[finding.type])
        pos = finding.end
    out.append(text[pos:])
    return "".join(out)


def mask_segment(segment: Segment) -> MaskedSegment:
    """Mask the segment text, and every word that overlaps personal data in the joined words."""
    text, count = mask_text(segment.text)
    joined = "".join(w.text for w in segment.words)
    findings = scan(joined) if joined else []
    words: list[Word] = []
    pos = 0
    for word in segment.words:
        start, end = pos, pos + len(word.text)
        pos = end
        hit = next((f for f in findings if f.start < end and start < f.end), None)
        if hit is None:
            words.append(word)
        else:
            lead = " " if word.text.startswith(" ") else ""
            words.append(Word(start=word.start, end=word.end, text=lead + LABELS[hit.type]))
    return MaskedSegment(
        start=segment.start,
        end=segment.end,
        text=text,
        words=words,
        masked=max(count, len(findings)),
    )
