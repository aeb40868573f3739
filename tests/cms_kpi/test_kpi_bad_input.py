"""Bad input: an empty month, a future period, a reversed period, an unknown grouping."""

from __future__ import annotations

import datetime as dt

import pytest

from cms.kpi.errors import InvalidPeriod, PeriodInFuture, UnknownDimension
from cms.kpi.grouping import Period, parse_dimensions
from tests.cms_kpi.builders import DAY, Journal, jst, report_of


@pytest.mark.req("F-2.4.2", "R-ANYTIME")
def test_a_month_with_no_data_reports_zero_counts_and_unknown_rates() -> None:
    report = report_of(Journal(), first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))
    assert not report.has_data
    phone = report.total.phone
    assert phone.calls_received.value == 0
    for value in (phone.service_level, phone.abandon_rate, phone.average_handling_time):
        assert value.value is None
        assert value.reason == "no-contacts"
        assert value.met is None
    assert report.total.items.unprocessed_beyond_target.value == 0


@pytest.mark.req("F-2.4.2", "R-ANYTIME")
def test_a_period_that_has_not_ended_is_refused_with_a_clear_message() -> None:
    with pytest.raises(PeriodInFuture) as caught:
        report_of(Journal(), first=DAY, now=jst(DAY, 18))
    assert "まだ終わっていない" in caught.value.message
    assert caught.value.public()["error"] == "report-period-in-future"


@pytest.mark.req("R-ANYTIME")
def test_a_report_for_the_day_so_far_is_provisional() -> None:
    j = Journal()
    j.call("a", jst(DAY, 9), wait=5)
    report = report_of(j, first=DAY, now=jst(DAY + dt.timedelta(days=1), 0, 5))
    assert report.provisional
    assert report.total.phone.calls_received.value == 1
    assert not report_of(j).provisional


@pytest.mark.req("R-ANYTIME")
def test_a_reversed_empty_or_naive_period_is_refused() -> None:
    start = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    with pytest.raises(InvalidPeriod, match="start-not-before-end"):
        Period(start, start)
    with pytest.raises(InvalidPeriod):
        Period(start, start - dt.timedelta(hours=1))
    with pytest.raises(InvalidPeriod, match="naive-datetime"):
        Period(dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 2))


@pytest.mark.req("R-ANYTIME")
def test_any_period_works_and_a_month_spans_japan_time_days() -> None:
    month = Period.month(2026, 12)
    assert month.start == dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC)
    assert month.end == dt.datetime(2026, 12, 31, 15, tzinfo=dt.UTC)
    j = Journal()
    j.call("a", jst(DAY, 9), wait=5)
    j.call("b", jst(DAY, 13), wait=5)
    morning = Period(jst(DAY, 8), jst(DAY, 12))
    assert morning.contains(jst(DAY, 9))
    assert not morning.contains(jst(DAY, 12))


@pytest.mark.req("R-ITEMS")
def test_an_unknown_grouping_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownDimension) as caught:
        parse_dimensions(["day", "colour"])
    assert "weekday" in caught.value.known
    assert parse_dimensions(["", "day", "day", "hour"]) == ("day", "hour")
    assert parse_dimensions([]) == ("period",)
