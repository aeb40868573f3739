"""The guard meets precision and recall >= 0.9 per type on the labelled dev notes (N-PRIV-1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm.pii.evaluation import evaluate, load_examples
from crm.pii.models import PiiType

pytestmark = pytest.mark.req("N-PRIV-1")

DATA = Path(__file__).resolve().parent / "pii_eval.jsonl"
EXAMPLES = load_examples(DATA)
DEV = [e for e in EXAMPLES if e.split == "dev"]
DEV_SCORES = evaluate(DEV)


def test_evaluation_set_has_enough_notes_of_every_kind() -> None:
    assert len(EXAMPLES) >= 300
    assert {e.split for e in EXAMPLES} == {"dev", "heldout"}
    for kind in PiiType:
        assert sum(1 for e in EXAMPLES if any(s.type == kind for s in e.spans)) >= 60, kind
    assert sum(1 for e in EXAMPLES if not e.spans) >= 120


def test_gold_spans_lie_inside_their_notes_and_do_not_overlap() -> None:
    for example in EXAMPLES:
        previous_end = 0
        for span in sorted(example.spans, key=lambda s: s.start):
            assert 0 <= span.start < span.end <= len(example.text), example.text
            assert span.start >= previous_end, example.text
            assert (
                example.text[span.start : span.end].strip() == (example.text[span.start : span.end])
            ), example.text
            previous_end = span.end


@pytest.mark.parametrize("kind", list(PiiType), ids=lambda k: k.value)
def test_dev_precision_is_at_least_0_9(kind: PiiType) -> None:
    score = DEV_SCORES[kind]
    assert score.findings > 0
    assert score.precision >= 0.9, score.false_alarms


@pytest.mark.parametrize("kind", list(PiiType), ids=lambda k: k.value)
def test_dev_recall_is_at_least_0_9(kind: PiiType) -> None:
    score = DEV_SCORES[kind]
    assert score.gold >= 40
    assert score.recall >= 0.9, score.misses


def test_dev_notes_without_personal_data_pass_cleanly() -> None:
    from crm.pii.detector import scan

    negatives = [e.text for e in DEV if not e.spans]
    flagged = [text for text in negatives if scan(text)]
    assert len(flagged) <= len(negatives) // 20, flagged
