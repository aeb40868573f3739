"""Grouping by every dimension the city asks for (R-ITEMS, R-ANYTIME); groups add up exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from cms.events import EventType
from cms.kpi.grouping import KNOWN, Dimension
from cms.kpi.report import GroupReport, KpiReport
from cms.kpi.settings import COVID_LINE, MAIN_LINE
from tests.cms_kpi.builders import DAY, Journal, jst, report_of, standard_day

TUESDAY = DAY + dt.timedelta(days=1)


def _two_days() -> Journal:
    j = standard_day()
    j.call("t1", jst(TUESDAY, 14, 30), wait=40, talk=90, agent="op3", section="zeimu")
    j.call("t2", jst(TUESDAY, 14, 45), abandon_after=20)
    return j


def _received(report: KpiReport) -> dict[tuple[object, ...], float | None]:
    return {tuple(g.key.values()): g.phone.calls_received.value for g in report.groups}


def _sums_match(report: KpiReport) -> None:
    """Every rate's numerator and denominator over the groups add up to the total's."""

    def parts(g: GroupReport, name: str) -> tuple[float, float | None]:
        v = getattr(g.phone, name)
        return v.numerator, v.denominator

    for name in ("service_level", "abandon_rate", "first_contact_resolution", "average_talk_time"):
        num = sum(parts(g, name)[0] for g in report.groups)
        den = sum(parts(g, name)[1] or 0 for g in report.groups)
        assert (num, den) == parts(report.total, name), name


@pytest.mark.req("R-ITEMS", "R-ANYTIME")
@pytest.mark.parametrize("dimension", [d for d in KNOWN if d != "period"])
def test_every_dimension_partitions_the_contacts_exactly(dimension: Dimension) -> None:
    report = report_of(_two_days(), last=TUESDAY, by=(dimension,))
    assert sum(g.phone.calls_received.value or 0 for g in report.groups) == 9
    assert sum(g.covid.calls_received.value or 0 for g in report.groups) == 2
    _sums_match(report)


@pytest.mark.req("R-ITEMS")
def test_grouping_by_day_weekday_and_hour_uses_japan_time_of_receipt() -> None:
    j = _two_days()
    by_day = _received(report_of(j, last=TUESDAY, by=("day",)))
    assert by_day == {("2026-11-02",): 7, ("2026-11-03",): 2}
    by_weekday = _received(report_of(j, last=TUESDAY, by=("weekday",)))
    assert by_weekday == {("月",): 7, ("火",): 2}
    hours = report_of(j, last=TUESDAY, by=("hour",))
    counts = {k: v for k, v in _received(hours).items() if v}
    assert counts == {(9,): 4, (10,): 3, (14,): 2}


@pytest.mark.req("R-ITEMS")
def test_abandon_rate_by_weekday_and_hour() -> None:
    report = report_of(_two_days(), last=TUESDAY, by=("weekday", "hour"))
    rates = {
        tuple(g.key.values()): g.phone.abandon_rate.value
        for g in report.groups
        if g.phone.calls_received.value
    }
    assert rates == {("月", 9): 50.0, ("月", 10): 0.0, ("火", 14): 50.0}


@pytest.mark.req("R-ITEMS")
def test_grouping_by_line_keeps_the_covid_line_in_its_own_section() -> None:
    report = report_of(standard_day(), by=("line",))
    by_line = {g.key["line"]: g for g in report.groups}
    assert set(by_line) == {MAIN_LINE, COVID_LINE}
    assert by_line[COVID_LINE].phone.calls_received.value == 0
    assert by_line[COVID_LINE].covid.calls_received.value == 2
    assert by_line[MAIN_LINE].covid.calls_received.value == 0


@pytest.mark.req("R-ITEMS")
def test_grouping_by_work_type_and_section_gives_received_fcr_and_transfers() -> None:
    report = report_of(_two_days(), last=TUESDAY, by=("work_type", "section"))
    groups = {tuple(g.key.values()): g.phone for g in report.groups}
    koseki = groups[("inquiry", "koseki")]
    assert (koseki.calls_received.value, koseki.first_contact_resolution.value) == (2, 100.0)
    zeimu = groups[("inquiry", "zeimu")]
    assert zeimu.calls_received.value == 2  # c2 and t1
    assert (zeimu.first_contact_resolution.numerator, zeimu.transfers_to_staff.value) == (1, 1)
    switchboard = groups[("switchboard", None)]
    assert switchboard.transfers_by_switchboard.value == 1
    assert switchboard.first_contact_resolution.value is None
    assert switchboard.first_contact_resolution.reason == "no-contacts"
    unanswered = groups[(None, None)]  # abandoned and IVR calls have no work type
    assert unanswered.calls_received.value == 4


@pytest.mark.req("R-ITEMS")
def test_grouping_by_agent_and_menu() -> None:
    report = report_of(_two_days(), last=TUESDAY, by=("agent",))
    talk = {g.key["agent"]: g.phone.average_talk_time.value for g in report.groups}
    assert talk == {"op1": 65.0, "op2": 130.0, "op3": 90.0, None: None}
    menus = _received(report_of(_two_days(), last=TUESDAY, by=("menu",)))
    assert menus == {("daihyo",): 1, ("juminhyo",): 8, (None,): 0}


@pytest.mark.req("R-ITEMS", "R-DAILY")
def test_operators_deployed_is_the_most_agents_signed_in_at_once() -> None:
    j = Journal()
    j.presence("op1", jst(DAY, 8, 55), EventType.AGENT_SIGNED_IN)
    j.presence("op1", jst(DAY, 8, 55), EventType.AGENT_SIGNED_IN)  # repeated
    j.presence("op2", jst(DAY, 9, 30), EventType.AGENT_SIGNED_IN)
    # op3 signed in before the events read; its first state change shows it present
    j.presence("op3", jst(DAY, 10), EventType.AGENT_STATE_CHANGED, state="ready")
    j.presence("op1", jst(DAY, 10, 30), EventType.AGENT_SIGNED_OUT)
    j.presence("op2", jst(DAY, 11), EventType.AGENT_STATE_CHANGED, state="signed_out")
    j.presence("op3", jst(DAY, 12, 15), EventType.AGENT_SIGNED_OUT)
    report = report_of(j, by=("hour",))
    peaks = {g.key["hour"]: g.operators_deployed.value for g in report.groups}
    assert {h: peaks[h] for h in (8, 9, 10, 11, 12, 13)} == {
        8: 1,
        9: 2,
        10: 3,
        11: 1,
        12: 1,
        13: 0,
    }
    assert report.total.operators_deployed.value == 3
    assert report_of(j, by=("day",)).groups[0].operators_deployed.value == 3
    by_agent = report_of(standard_day(), by=("agent",))
    assert all(g.operators_deployed.reason == "not-applicable" for g in by_agent.groups)
