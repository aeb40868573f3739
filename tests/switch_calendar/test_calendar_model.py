"""The plain calendar data refuses inconsistent values and encodes 表2-1 in default_config()."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfoNotFoundError

import pytest

from switch.calendar import (
    AnnualClosure,
    CalendarConfig,
    Closure,
    EmergencyState,
    LineHours,
    Service,
    ServiceWindow,
    default_config,
)
from switch.calendar import service as calendar_service
from switch.calendar.errors import InvalidCalendarData
from switch.calendar.model import COVID_DID, FAX_DID, MAIN_DID, normalize_number, weekly


@pytest.mark.req("F-1.2.1")
def test_default_config_matches_table_2_1() -> None:
    config = default_config()
    main = config.line(MAIN_DID)
    live = ServiceWindow(dt.time(8, 0), dt.time(19, 0))
    switchboard = ServiceWindow(dt.time(8, 30), dt.time(17, 15))
    assert main.live == tuple((live,) for _ in range(7))
    assert main.switchboard == ((switchboard,),) * 5 + ((), ())
    assert main.holidays_close_switchboard
    assert not main.holidays_close_live
    assert config.line(COVID_DID).live == main.live
    assert config.line(FAX_DID).intake == ((ServiceWindow.all_day(),),) * 7
    (year_end,) = config.annual_closures
    assert (year_end.start_month, year_end.start_day) == (12, 29)
    assert (year_end.end_month, year_end.end_day) == (1, 3)
    assert year_end.services == frozenset({Service.SWITCHBOARD})
    assert not config.emergency.active


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.time(19, 0), dt.time(8, 0)),
        (dt.time(8, 0), dt.time(8, 0)),
        (dt.time(8, 0, tzinfo=dt.UTC), dt.time(9, 0)),
    ],
)
def test_window_must_end_after_it_starts(start: dt.time, end: dt.time) -> None:
    with pytest.raises(InvalidCalendarData) as caught:
        ServiceWindow(start, end)
    assert caught.value.field == "window"


@pytest.mark.parametrize(
    ("moment", "inside"),
    [(dt.time(0, 0), True), (dt.time(23, 59, 59, 999_999), True), (dt.time(12), True)],
)
def test_all_day_window_covers_the_whole_day(moment: dt.time, inside: bool) -> None:
    assert ServiceWindow.all_day().contains(moment) is inside
    assert ServiceWindow.all_day().label_ja() == "0:00〜24:00"


def test_overlapping_windows_on_one_day_are_refused() -> None:
    with pytest.raises(InvalidCalendarData) as caught:
        LineHours(
            did=MAIN_DID,
            name_ja="x",
            live=weekly(
                [
                    ServiceWindow(dt.time(8), dt.time(12)),
                    ServiceWindow(dt.time(11), dt.time(19)),
                ]
            ),
        )
    assert caught.value.field == "live"


def test_week_must_have_seven_days() -> None:
    with pytest.raises(InvalidCalendarData):
        LineHours(did=MAIN_DID, name_ja="x", live=((), ()))


def test_duplicate_lines_are_refused() -> None:
    line = LineHours(did=MAIN_DID, name_ja="x")
    with pytest.raises(InvalidCalendarData) as caught:
        CalendarConfig(lines=(line, LineHours(did="03-3981-1111", name_ja="y")))
    assert caught.value.field == "lines"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("03-3981-1111", "0339811111"),
        ("+81 3 3981 1111", "0339811111"),
        ("(03)3981-1280", "0339811280"),
        ("０３－３９８１－１１１１", "0339811111"),
        ("+1-555-0100", "+15550100"),
        ("03-ABCD-1111", None),
        ("", None),
    ],
)
def test_normalize_number(raw: str, normal: str | None) -> None:
    if normal is None:
        with pytest.raises(InvalidCalendarData):
            normalize_number(raw)
    else:
        assert normalize_number(raw) == normal


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        (dt.date(2025, 12, 28), False),
        (dt.date(2025, 12, 29), True),
        (dt.date(2025, 12, 31), True),
        (dt.date(2026, 1, 1), True),
        (dt.date(2026, 1, 3), True),
        (dt.date(2026, 1, 4), False),
        (dt.date(2026, 7, 1), False),
    ],
)
def test_year_end_rule_crosses_new_year_every_year(day: dt.date, covered: bool) -> None:
    (year_end,) = default_config().annual_closures
    assert year_end.covers(day) is covered


def test_annual_closure_within_one_year() -> None:
    rule = AnnualClosure(8, 13, 8, 15, reason="お盆", guidance="closure")
    assert rule.covers(dt.date(2030, 8, 14))
    assert not rule.covers(dt.date(2030, 8, 16))


def test_annual_closure_refuses_an_impossible_date() -> None:
    with pytest.raises(InvalidCalendarData):
        AnnualClosure(2, 30, 3, 1, reason="x")


def test_closure_needs_a_service() -> None:
    with pytest.raises(InvalidCalendarData):
        Closure(date=dt.date(2025, 5, 7), reason="x", services=frozenset())


def test_emergency_needs_aware_start_and_a_message() -> None:
    with pytest.raises(InvalidCalendarData):
        EmergencyState(active=True, since=dt.datetime(2025, 5, 7, 10), message_key="earthquake")
    with pytest.raises(InvalidCalendarData):
        EmergencyState(active=True, message_key="")
    with pytest.raises(InvalidCalendarData):
        EmergencyState(active=True, message_key="flood", overflow_number="not a number")


def test_japan_time_works_without_a_tz_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> dt.tzinfo:
        raise ZoneInfoNotFoundError(name)

    calendar_service.timezone_of.cache_clear()
    monkeypatch.setattr(calendar_service, "ZoneInfo", missing)
    try:
        zone = calendar_service.timezone_of("Asia/Tokyo")
        assert dt.datetime(2025, 7, 1, tzinfo=zone).utcoffset() == dt.timedelta(hours=9)
        with pytest.raises(InvalidCalendarData):
            calendar_service.timezone_of("Mars/Olympus")
    finally:
        calendar_service.timezone_of.cache_clear()
