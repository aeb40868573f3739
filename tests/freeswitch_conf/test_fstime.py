"""Time attribute comparisons as switch_utils.c and switch_xml.c define them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.freeswitch_conf.fstime import datetime_check, dow_cmp, number_cmp, tod_cmp

pytestmark = pytest.mark.req("F-1.2.1")

JST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("exp", "val", "expected"),
    [
        ("5", 5, True),
        ("5", 6, False),
        ("1-5", 5, True),
        ("1-5", 6, False),
        ("1,3,5-7", 6, True),
        ("1,3,5-7", 4, False),
        ("18-8", 23, True),
        ("18-8", 3, True),
        ("18-8", 12, False),
    ],
)
def test_number_cmp_lists_ranges_and_wraparound(exp, val, expected):
    assert number_cmp(exp, val) is expected


@pytest.mark.parametrize(
    ("exp", "val", "expected"),
    [
        ("mon-fri", 2, True),
        ("mon-fri", 6, True),
        ("mon-fri", 1, False),
        ("mon-fri", 7, False),
        ("sun,sat", 1, True),
        ("2-6", 4, True),
        ("Sat", 7, True),
        ("fri-mon", 2, False),
    ],
)
def test_dow_cmp_names_numbers_and_ranges(exp, val, expected):
    assert dow_cmp(exp, val) is expected


def hms(h: int, m: int, s: int = 0) -> int:
    return h * 3600 + m * 60 + s


@pytest.mark.parametrize(
    ("exp", "val", "expected"),
    [
        ("08:30-17:15", hms(8, 30), True),
        ("08:30-17:15", hms(8, 29, 59), False),
        ("08:30-17:15", hms(17, 15), True),
        ("08:30-17:15", hms(17, 15, 1), False),
        ("08:00-18:59:59", hms(18, 59, 59), True),
        ("08:00-18:59:59", hms(19, 0), False),
        ("22:00-06:00", hms(23, 0), True),
        ("22:00-06:00", hms(5, 0), True),
        ("22:00-06:00", hms(12, 0), False),
        ("08:00-09:00,12:00-13:00", hms(12, 30), True),
    ],
)
def test_tod_cmp_ranges(exp, val, expected):
    assert tod_cmp(exp, val) is expected


def test_datetime_check_is_minus_one_without_time_attributes():
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert datetime_check({"field": "x"}, now=now, variables={}) == -1


def test_minute_of_day_counts_from_one():
    at_0800 = datetime(2026, 11, 30, 8, 0, tzinfo=JST)
    assert datetime_check({"minute-of-day": "481"}, now=at_0800, variables={}, host_tz=JST) == 1
    assert datetime_check({"minute-of-day": "480"}, now=at_0800, variables={}, host_tz=JST) == 0


def test_all_attributes_must_match():
    monday_10 = datetime(2026, 11, 30, 10, 0, tzinfo=JST)
    attrs = {"wday": "mon", "hour": "10", "mon": "11", "mday": "30", "year": "2026"}
    assert datetime_check(attrs, now=monday_10, variables={}, host_tz=JST) == 1
    assert datetime_check({**attrs, "hour": "11"}, now=monday_10, variables={}, host_tz=JST) == 0


def test_week_of_month_matches_freeswitch_formula():
    # 2026-11-01 is a Sunday: rows are 1-7, 8-14, ..., so the 30th is in the 5th row.
    monday_30 = datetime(2026, 11, 30, 10, 0, tzinfo=JST)
    assert datetime_check({"mweek": "5"}, now=monday_30, variables={}, host_tz=JST) == 1
    assert datetime_check({"mweek": "6"}, now=monday_30, variables={}, host_tz=JST) == 0
    # 2027-05-01 is a Saturday: the 2nd (Sunday) already starts the 2nd row.
    sunday = datetime(2027, 5, 2, 10, 0, tzinfo=JST)
    assert datetime_check({"mweek": "2"}, now=sunday, variables={}, host_tz=JST) == 1
    first = datetime(2026, 11, 1, 10, 0, tzinfo=JST)
    assert datetime_check({"mweek": "1"}, now=first, variables={}, host_tz=JST) == 1


def test_date_time_range_for_year_end_closure():
    closure = {"date-time": "2026-12-29 00:00~2027-01-03 23:59:59"}
    inside = datetime(2026, 12, 31, 12, 0, tzinfo=JST)
    after = datetime(2027, 1, 4, 9, 0, tzinfo=JST)
    assert datetime_check(closure, now=inside, variables={}, host_tz=JST) == 1
    assert datetime_check(closure, now=after, variables={}, host_tz=JST) == 0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        datetime_check({"hour": "1"}, now=datetime(2026, 1, 1), variables={})
