"""The report read from a real log, on SQLite and PostgreSQL, and through the CLI."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cms import service
from cms.events import EventType
from cms.kpi.cli import register
from cms.kpi.errors import PeriodInFuture
from cms.kpi.grouping import Period
from cms.kpi.report import build_report
from realtime import migrate
from realtime.db import Database
from tests.cms_kpi.builders import DAY, LATER, jst, report_of, standard_day

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    migrate.upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.mark.req("F-2.4.2", "S-P1", "S-P2", "S-P4", "S-P5", "S-P6", "R-ITEMS")
def test_the_report_read_from_the_database_matches_the_hand_computed_day(db: Database) -> None:
    journal = standard_day()
    journal.call("m1", jst(DAY, 23, 59, 50), queue_after=0, wait=15, talk=115, wrapup=20)
    journal.presence("op1", jst(DAY, 8, 50), EventType.AGENT_SIGNED_IN)
    journal.presence("op2", jst(DAY, 8, 59), EventType.AGENT_STATE_CHANGED, state="ready")
    journal.presence("op2", jst(DAY, 9, 30), EventType.AGENT_STATE_CHANGED, state="signed_out")
    journal.presence("op3", jst(DAY, 9, 45), EventType.AGENT_STATE_CHANGED, state="on_call")
    with db.session() as session:
        service.append_many(session, events=list(reversed(journal.events)))
        service.append_many(session, events=journal.events)  # a retried batch
        report = build_report(
            session, period=Period.days(DAY, DAY), dimensions=("hour",), now=LATER
        )
    expected = report_of(journal, by=("hour",))
    assert report.to_dict()["groups"] == expected.to_dict()["groups"]
    phone = report.total.phone
    assert (phone.service_level.numerator, phone.service_level.denominator) == (4, 7)
    assert phone.average_handling_time.value == pytest.approx((530 + 135) / 5)
    assert report.total.covid.calls_received.value == 2
    peaks = {g.key["hour"]: g.operators_deployed.value for g in report.groups}
    assert (peaks[8], peaks[9], peaks[10]) == (2, 2, 2)  # op2 leaves 09:30, op3 comes 09:45


@pytest.mark.req("F-2.4.2")
def test_the_database_report_refuses_a_future_period(db: Database) -> None:
    with db.session() as session, pytest.raises(PeriodInFuture):
        build_report(session, period=Period.days(DAY, DAY), now=jst(DAY, 12))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.mark.req("F-2.4.2", "R-ANYTIME")
def test_the_cli_reports_a_week_by_day_and_refuses_a_future_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        service.append_many(session, events=standard_day().events)
    database.dispose()
    args = _parser().parse_args(
        [
            "kpi",
            "report",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-08",
            "--by",
            "day",
            "--format",
            "json",
            "--database-url",
            url,
        ]
    )
    assert args.handler(args) == 0
    month = json.loads(capsys.readouterr().out)
    days = {g["key"]["day"]: g["phone"]["calls_received"]["value"] for g in month["groups"]}
    assert len(days) == 7
    assert days["2026-11-02"] == 7
    assert sum(days.values()) == 7
    run = [sys.executable, "-m", "cms.kpi.cli", "kpi", "report", "--database-url", url]
    done = subprocess.run(
        [*run, "--from", "2026-11-02", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"]["phone"]["calls_received"]["value"] == 7
    assert data["total"]["covid"]["calls_received"]["value"] == 2
    text = subprocess.run(
        [*run, "--from", "2026-11-02", "--by", "hour"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert text.returncode == 0, text.stderr
    assert "放棄呼率" in text.stdout
    assert "合計" in text.stdout
    future = subprocess.run(
        [*run, "--month", "2999-01"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert future.returncode == 2
    assert "まだ終わっていない" in future.stderr
