"""``madoguchi staffing erlang`` / ``profile`` through register() and a real subprocess."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from wfm.staffing_cli import register

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wfm.staffing_cli", "staffing", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.req("F-2.3.1")
def test_register_adds_the_staffing_group_with_both_commands() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["staffing", "erlang", "--calls", "85", "--target", "80%"])
    assert args.staffing_command == "erlang"
    assert args.target == pytest.approx(0.8)
    args = parser.parse_args(["staffing", "profile", "--csv", "x.csv", "--weekday", "thu"])
    assert args.weekday == 3


@pytest.mark.req("F-2.3.1")
def test_erlang_command_prints_requirements_for_the_city_peak_hour() -> None:
    result = _run("erlang", "--calls", "170", "--period-min", "60", "--patience", "120")
    assert result.returncode == 0, result.stderr
    assert "Erlang C: 必要 12 人" in result.stdout
    assert "Erlang A (待ち許容 120秒): 必要 11 人" in result.stdout


@pytest.mark.req("F-2.3.1")
def test_impossible_target_exits_2_with_the_reason() -> None:
    result = _run("erlang", "--calls", "170", "--target", "100")
    assert result.returncode == 2
    assert "staffing-target-impossible" in result.stderr
    assert "100%" in result.stderr


@pytest.mark.req("F-2.3.1", "F-2.3.3")
def test_profile_command_prints_shares_and_a_half_hour_staffing_table(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("hour_start,2024-06-03_mon\n08:00,100\n09:00,300\n")
    result = _run("profile", "--csv", str(path), "--daily-calls", "400", "--patience", "90")
    assert result.returncode == 0, result.stderr
    assert "08:30   12.5%" in result.stdout
    assert "09:30" in result.stdout
    assert "配置" in result.stdout
    bad = _run("profile", "--csv", str(tmp_path / "missing.csv"))
    assert bad.returncode == 2
    assert "intraday-input-invalid" in bad.stderr
