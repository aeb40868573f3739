"""Precision and recall of the guard on a labelled set (span level, overlap with a gold span)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crm.pii.detector import scan
from crm.pii.models import Finding, PiiType


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """One labelled span of the evaluation set."""

    type: PiiType
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled operator note."""

    split: str
    text: str
    spans: tuple[GoldSpan, ...]


@dataclass(slots=True)
class TypeScore:
    """Counts for one type; a finding is correct if it overlaps a gold span of its type."""

    findings: int = 0
    correct_findings: int = 0
    exact_findings: int = 0
    gold: int = 0
    found_gold: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of findings that are right (1.0 when nothing was found)."""
        return self.correct_findings / self.findings if self.findings else 1.0

    @property
    def exact_share(self) -> float:
        """Share of correct findings whose span equals the gold span exactly."""
        return self.exact_findings / self.correct_findings if self.correct_findings else 1.0

    @property
    def recall(self) -> float:
        """Share of gold spans that were found (1.0 when there is none)."""
        return self.found_gold / self.gold if self.gold else 1.0


def load_examples(path: Path) -> list[Example]:
    """Read the JSON Lines evaluation set."""
    examples: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = tuple(GoldSpan(PiiType(s["type"]), s["start"], s["end"]) for s in row["spans"])
        examples.append(Example(row["split"], row["text"], spans))
    return examples


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def evaluate(
    examples: Iterable[Example], *, detect: Callable[[str], list[Finding]] = scan
) -> dict[PiiType, TypeScore]:
    """Per-type precision and recall of `detect` on the examples."""
    scores = {kind: TypeScore() for kind in PiiType}
    for example in examples:
        findings = detect(example.text)
        for kind, score in scores.items():
            gold = [g for g in example.spans if g.type == kind]
            found = [f for f in findings if f.type == kind]
            score.gold += len(gold)
            score.findings += len(found)
            for f in found:
                if any(_overlaps(f.start, f.end, g.start, g.end) for g in gold):
                    score.correct_findings += 1
                    score.exact_findings += any((f.start, f.end) == (g.start, g.end) for g in gold)
                else:
                    score.false_alarms.append(f"{f.text} ← {example.text}")
            for g in gold:
                if any(_overlaps(f.start, f.end, g.start, g.end) for f in found):
                    score.found_gold += 1
                else:
                    score.misses.append(f"{example.text[g.start : g.end]} ← {example.text}")
    return scores
