"""The ``calendar`` CLI commands, through argparse and once as a real subprocess."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from switch.calendar.cli import register

REPO = Path(__file__).resolve().parents[2]


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


@pytest.mark.req("F-1.2.1")
def test_decide_prints_the_decision_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["calendar", "decide", "--did", "03-3981-1111", "--at", "2025-05-06T10:00"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0
    assert body["at"] == "2025-05-06T10:00:00+09:00"
    assert (body["live_open"], body["switchboard_open"], body["guidance"]) == (
        True,
        False,
        "holiday",
    )
    assert "振替休日" in body["reason_ja"]


@pytest.mark.req("N-BCP-1")
def test_decide_with_emergency_and_closure(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["calendar", "decide", "--at", "2025-05-07T01:00:00Z", "--closure", "2025-05-07:点検"]
    code = _run([*argv, "--closure-live", "--emergency", "earthquake", "--overflow", "0612345678"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0
    assert body["guidance"] == "emergency"
    assert body["live_open"] is False
    assert body["emergency"]["overflow_number"] == "0612345678"
    assert body["next_live_open"] == "2025-05-08T08:00:00+09:00"


def test_unknown_did_exits_with_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["calendar", "decide", "--did", "0312345678", "--at", "2025-05-07T10:00"])
    assert code == 2
    assert "unknown-line" in capsys.readouterr().err


def test_holidays_lists_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["calendar", "holidays", "--year", "2026"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "2026-09-22 国民の休日" in lines
    assert lines[0] == "2026-01-01 元日"


def test_business_days_command_runs_as_a_subprocess() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = ["calendar", "business-days", "--start", "2025-12-25", "--end", "2026-01-07"]
    result = subprocess.run(
        [sys.executable, "-m", "switch.calendar.cli", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "2025-12-25",
        "2025-12-26",
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
    ]
    assert "5 営業日" in result.stderr
