"""The ward's own FAQ answers, scripts and directory are full of fees, dates and numbers but hold
no personal data: the guard must let them through (N-PRIV-1)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crm.pii.detector import scan

pytestmark = pytest.mark.req("N-PRIV-1")

FAQ_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "faq"
COLUMNS = {
    "faq.csv": ("question", "answer"),
    "talk_scripts.csv": ("title", "steps"),
    "departments.csv": ("ka", "kakari", "handles"),
    "queries_dev.csv": ("query",),
}


def _texts() -> list[str]:
    texts: list[str] = []
    for name, columns in COLUMNS.items():
        path = FAQ_DIR / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    texts.extend(row[c] for c in columns)
    return texts


@pytest.mark.skipif(not FAQ_DIR.exists(), reason="shared/data/faq is not present next to the repo")
def test_faq_answers_scripts_and_departments_raise_no_finding() -> None:
    texts = _texts()
    assert len(texts) > 400
    flagged = {t: [(f.type.value, f.text) for f in scan(t)] for t in texts if scan(t)}
    assert flagged == {}
