"""End to end: ``madoguchi wfm forecast`` / ``backtest`` through a real subprocess."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.wfm.forecast_data import SHARED_HISTORY, synthetic_counts, write_history
from wfm.cli import register

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wfm.cli", "wfm", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.req("F-2.3.1")
def test_forecast_command_writes_every_day_from_start_to_end(tmp_path: Path) -> None:
    history = write_history(
        tmp_path / "h.csv", synthetic_counts(date(2021, 4, 1), date(2021, 12, 31))
    )
    out = tmp_path / "f.csv"
    # Start a week after the history ends: any day after the end is allowed.
    result = _run(
        "forecast", "--history", str(history), "--start", "2022-01-08",
        "--end", "2022-03-31", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["date", "calls"]
    expected = [date(2022, 1, 8) + timedelta(days=i) for i in range(83)]
    assert [date.fromisoformat(r["date"]) for r in rows] == expected
    assert all(r["calls"].isdigit() for r in rows)


@pytest.mark.req("F-2.3.1")
def test_forecast_command_rejects_bad_history_with_a_clear_message(tmp_path: Path) -> None:
    counts = synthetic_counts(date(2021, 4, 1), date(2021, 12, 31))
    history = write_history(tmp_path / "h.csv", counts)
    text = history.read_text(encoding="utf-8") + "2021-12-31,Fri,605\n"
    history.write_text(text, encoding="utf-8")
    out = tmp_path / "f.csv"
    result = _run(
        "forecast", "--history", str(history), "--start", "2022-01-01",
        "--end", "2022-01-31", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 2
    assert "同じ日付" in result.stderr
    assert "2021-12-31" in result.stderr
    assert not out.exists()


@pytest.mark.req("F-2.3.1")
def test_backtest_command_prints_json_with_every_method(tmp_path: Path) -> None:
    history = write_history(
        tmp_path / "h.csv", synthetic_counts(date(2021, 4, 1), date(2021, 9, 30))
    )
    result = _run("backtest", "--history", str(history), "--horizon", "3", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload["methods"]) == {"model", "calendar regression", "same weekday last week"}
    assert set(payload["methods"]["model"]["by_horizon"]) == {"1", "2", "3"}


@pytest.mark.req("F-2.3.1")
def test_register_adds_the_wfm_group_with_forecast_and_backtest() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(
        ["wfm", "forecast", "--history", "h.csv", "--start", "2022-01-01",
         "--end", "2022-01-02", "--out", "o.csv"]
    )  # fmt: skip
    assert args.start == date(2022, 1, 1)
    assert callable(args.handler)
    assert parser.parse_args(["wfm", "backtest", "--history", "h.csv"]).horizon == 7


@pytest.mark.req("F-2.3.1")
def test_forecast_command_on_the_city_history_covers_january_to_march(tmp_path: Path) -> None:
    if not SHARED_HISTORY.exists():
        pytest.skip(f"shared data not available at {SHARED_HISTORY}")
    out = tmp_path / "f.csv"
    result = _run(
        "forecast", "--history", str(SHARED_HISTORY), "--start", "2022-01-01",
        "--end", "2022-03-31", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    calls = {
        r["date"]: int(r["calls"])
        for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())
    }
    assert len(calls) == 90
    business_jan = [v for k, v in calls.items() if k.startswith("2022-01") and v > 400]
    assert calls["2022-01-04"] == max(business_jan)
