"""The operations manual (N-REL-3) has a procedure for every alert the monitor can raise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from realtime.monitoring.store import KIND_LABELS_JA

MANUAL = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


@pytest.mark.req("N-REL-3")
def test_every_alert_kind_has_a_procedure_in_the_operations_manual() -> None:
    text = MANUAL.read_text(encoding="utf-8")
    section = text.split("### Per alert", 1)[1].split("\n## ", 1)[0]
    rows = {
        m.group(1): m.group(2).strip()
        for m in re.finditer(r"^\| `([a-z_]+)` \| [^|]+ \| ([^|]+) \|$", section, re.MULTILINE)
    }
    missing = sorted(set(KIND_LABELS_JA) - set(rows))
    assert not missing, f"alert kinds without a procedure in docs/operations.md: {missing}"
    unknown = sorted(set(rows) - set(KIND_LABELS_JA))
    assert not unknown, f"procedures for alert kinds the monitor does not raise: {unknown}"
    assert all(len(action) > 20 for action in rows.values())
    assert "Who:" in section  # contacts and escalation are named
