"""Mask personal data in recognised speech with the CRM guard before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass

from crm.pii.detector import scan
from crm.pii.mask import LABELS, mask_text
from mediastore.transcripts.engine import Segment, Word


@dataclass(frozen=True)
class MaskedSegment:
    """A segment safe to store: text and words with personal data replaced by labels."""

    start: float
    end: float
    text: str
    words: list[Word]
    masked: int


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
