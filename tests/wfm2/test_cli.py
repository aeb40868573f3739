"""``madoguchi shifts solve`` and ``shifts whatif`` run for real in a subprocess."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "wfm.shifts.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.req("F-2.3.1")
def test_solve_writes_a_schedule_csv_and_reports_coverage(tmp_path: Path) -> None:
    plan = {
        "generate": {"open": "08:30", "close": "17:15"},
        "contracts": {"a": {}, "b": {}, "c": {"kind": "part_time", "max_weekly_min": 1200}},
        "first_slot": "08:30",
        "requirement": {f"2026-12-0{d}": [2] * 17 for d in range(1, 8)},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    done = _run("shifts", "solve", str(tmp_path / "plan.json"), "--out", str(tmp_path / "s.csv"),
                "--time-limit", "10")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "status=" in done.stdout
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["担当者", "日付", "パターン", "勤務", "労働分"]
    for agent in "abc":
        days = [r for r in rows[1:] if r[0] == agent]
        assert 0 < len(days) <= 6
        assert sum(int(r[4]) for r in days) <= (1200 if agent == "c" else 2400)


@pytest.mark.req("F-2.3.1", "F-2.3.3")
def test_bad_input_exits_2_with_the_reason(tmp_path: Path) -> None:
    plan = {
        "generate": {"open": "08:30", "close": "17:15"},
        "contracts": {"a": {"max_weekly_min": 3000}},
        "requirement": {"2026-12-01": [1]},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    done = _run("shifts", "solve", str(tmp_path / "plan.json"))
    assert done.returncode == 2
    assert "shift-input-invalid" in done.stderr
    assert "40 時間" in done.stderr
    body = {"base": {"calls": [50, 60], "aht_s": 180, "patience_s": 120},
            "change": {"aht_s": 240}}  # fmt: skip
    (tmp_path / "w.json").write_text(json.dumps(body), encoding="utf-8")
    done = _run("shifts", "whatif", str(tmp_path / "w.json"), "--seeds", "2")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["after"]["erlang_service_level"] < out["before"]["erlang_service_level"]
