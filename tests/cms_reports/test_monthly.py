from __future__ import annotations

import dataclasses
import datetime as dt
import random
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cms.events import EventType
from cms.kpi.grouping import Period
from cms.kpi.report import build_report
from cms.kpi.settings import KpiSettings
from cms.reports.assemble import kpi_report
from cms.reports.facts import load_facts
from cms.reports.periods import fiscal_span, month_span
from cms.reports.rollup import refresh_rollups
from cms.reports.workbook import make_workbook
from cms.service import NewEvent, append_many
from tests.cms_kpi.builders import DAY, LATER, Journal, jst, standard_day

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cms.reports_cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.mark.req("R-MONTHLY", "R-ITEMS")
def test_monthly_workbook_detail_and_sla_match_the_worked_example(session, tmp_path):
    append_many(session, events=standard_day().events)
    refresh_rollups(session, now=LATER)
    out = tmp_path / "m.xlsx"
    make_workbook(session, span=month_span(2026, 11), out=out, now=LATER)
    wb = load_workbook(out)
    assert wb.sheetnames == ["詳細版", "SLA", "曜日別", "時間帯別", "曜日×時間帯", "業務種別・係別"]
    ws = wb["詳細版"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=6, values_only=True) if r[0]}
    assert len([k for k in rows if str(k).startswith("2026-11-")]) == 30
    # calls 7 (c1-c7), answered 4, no mail/fax, total 9 with the COVID line, no presence;
    # inquiries = answered non-switchboard 3 (c1, c2, c7), in center 2 (c1, c7), no escalation,
    # hand-offs 2 (c2 to staff, c5 by switchboard), 2/3 = 66.7 %, COVID 2 received, 1 answered
    assert rows["2026-11-02"] == (7, 4, 0, 0, 9, 0, 3, 2, 0, 2, 66.7, 2, 1)
    assert rows["合計"] == rows["2026-11-02"]
    assert rows["2026-11-03"] == (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "－", 0, 0)
    assert ws._charts, "the detail sheet has its chart"
    sla = {r[0]: r for r in wb["SLA"].iter_rows(min_row=6, max_row=16, values_only=True)}
    assert sla["S-P2"][3] == 28.6
    assert sla["S-P2"][7] == "✖ 未達成"
    assert sla["S-P5"][3] == 132.5
    assert sla["S-P5"][7] == "✔ 達成"
    assert sla["S-P1"][3] == 50
    assert sla["S-P1"][7] == "― 目標設定なし"
    assert sla["S-M1"][3] == "－"
    assert sla["S-M1"][7].startswith("― 対象なし")
    weekday = {r[0]: r for r in wb["曜日別"].iter_rows(min_row=6, max_row=12, values_only=True)}
    assert weekday["月"][1] == 7
    assert weekday["火"][1] == 0
    assert weekday["火"][5] == "－"


def _shuffled_with_repeats(journal: Journal, seed: int) -> list[NewEvent]:
    rnd = random.Random(seed)
    events = list(journal.events)
    repeats = [dataclasses.replace(e, event_id=str(uuid.uuid4())) for e in rnd.sample(events, 8)]
    events += repeats
    rnd.shuffle(events)
    return events


@pytest.mark.req("R-MONTHLY", "R-ANYTIME")
def test_rollup_report_equals_live_kpi_report_with_events_out_of_order_and_repeated(session):
    j = standard_day()
    nxt = DAY + dt.timedelta(days=1)
    j.call("late", jst(nxt, 23, 59, 50), wait=20, talk=40, wrapup=20)  # answered after midnight
    j.item("m1", jst(nxt, 10), taken_after=dt.timedelta(hours=2), reply_after=dt.timedelta(days=9))
    j.add(
        EventType.CONTACT_TRANSFERRED,
        jst(DAY, 9, 3),
        "c1",
        agent="op1",
        kind="agent",
        destination="sv1",
    )
    append_many(session, events=_shuffled_with_repeats(j, 7))
    refresh_rollups(session, now=LATER)
    period = Period.month(2026, 11)
    for dims in (("day",), ("weekday", "hour"), ("section",), ("period",)):
        fs = load_facts(session, period=period, now=LATER)
        assert fs.source == "rollup"
        ours = kpi_report(fs, dimensions=dims, settings=KpiSettings())
        live = build_report(session, period=period, dimensions=dims, now=LATER)
        assert ours.groups == live.groups
        assert ours.total == live.total
    assert load_facts(session, period=period, now=LATER).escalated == {"c1"}


@pytest.mark.req("R-MONTHLY")
def test_refresh_is_incremental_idempotent_and_picks_up_late_events(session):
    append_many(session, events=standard_day().events)
    now = jst(DAY + dt.timedelta(days=1), 1)
    first = refresh_rollups(session, now=now)
    again = refresh_rollups(session, now=now)
    assert first.contacts_refolded == 9
    assert again.contacts_refolded == 0
    late = Journal()
    late.add(EventType.QA_VIOLATION_FLAGGED, jst(DAY, 23), "c1", agent="qa1", violation="conduct")
    append_many(session, events=late.events)
    third = refresh_rollups(session, now=now + dt.timedelta(hours=1))
    assert third.contacts_refolded == 1
    fs = load_facts(session, period=Period.days(DAY, DAY), now=LATER)
    total = kpi_report(fs, dimensions=("period",), settings=KpiSettings()).total
    assert total.phone.violation_rate.numerator == 2  # c7 and, later, c1


@pytest.mark.req("R-MONTHLY")
def test_a_day_not_over_is_never_rolled_up(session):
    j = Journal()
    j.call("today", jst(DAY, 9), wait=5)
    append_many(session, events=j.events)
    refresh_rollups(session, now=jst(DAY, 12))
    fs = load_facts(session, period=Period(jst(DAY, 0), jst(DAY, 12)), now=jst(DAY, 12))
    assert fs.source == "live"
    assert len(fs.facts) == 1


@pytest.mark.req("R-MONTHLY", "R-ANNUAL")
def test_cli_monthly_empty_month_and_future_month(db, tmp_path):
    out = tmp_path / "empty.xlsx"
    done = _cli(
        "report", "monthly", "--month", "2025-02", "--out", str(out), "--database-url", db.url
    )
    assert done.returncode == 0, done.stderr
    ws = load_workbook(out)["詳細版"]
    rows = [r for r in ws.iter_rows(min_row=6, values_only=True) if r[0]]
    assert len(rows) == 29  # 28 days and the total
    assert rows[-1] == ("合計", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "－", 0, 0)
    future = dt.date.today() + dt.timedelta(days=40)
    bad = _cli(
        "report",
        "monthly",
        "--month",
        future.strftime("%Y-%m"),
        "--out",
        str(tmp_path / "f.xlsx"),
        "--database-url",
        db.url,
    )
    assert bad.returncode == 2
    assert "report-period-in-future" in bad.stderr
    assert not (tmp_path / "f.xlsx").exists()


@pytest.mark.req("R-ANNUAL")
def test_fiscal_year_and_half_year_spans_and_annual_workbook(session, tmp_path):
    year = fiscal_span(2026)
    assert year.months[0] == (2026, 4)
    assert year.months[-1] == (2027, 3)
    assert year.period.start == jst(dt.date(2026, 4, 1), 0)
    assert year.period.end == jst(dt.date(2027, 4, 1), 0)
    half = fiscal_span(2026, half=True)
    assert half.period.end == jst(dt.date(2026, 10, 1), 0)
    assert len(half.months) == 6
    append_many(session, events=standard_day().events)
    refresh_rollups(session, now=LATER)
    out = tmp_path / "h.xlsx"
    make_workbook(
        session,
        span=fiscal_span(2026, half=False),
        out=out,
        now=dt.datetime(2027, 5, 1, tzinfo=dt.UTC),
    )
    wb = load_workbook(out)
    rows = {r[0]: r[1:] for r in wb["詳細版"].iter_rows(min_row=6, values_only=True) if r[0]}
    assert list(rows)[:12] == [f"{y}-{m:02d}" for y, m in year.months]
    assert rows["2026-11"][0] == 7
    assert rows["2026-10"][0] == 0
    assert rows["合計"][0] == 7
    monthly = {r[0]: r for r in wb["SLA"].iter_rows(min_row=20, values_only=True) if r[0]}
    assert monthly["2026-11"][2] == "28.6 ✖"
