"""City business days (for forecasting): weekdays that are no holiday, year-end or city closure."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from switch.calendar import (
    Closure,
    Service,
    business_days,
    default_config,
    first_business_day_after_break,
    is_city_business_day,
)
from switch.calendar.service import closed_days_before, is_first_business_day_after_break

pytestmark = pytest.mark.req("F-2.3.1")  # calendar features the forecast is built on

CONFIG = default_config()
SHARED = Path(__file__).resolve().parents[3] / "shared"
DAILY_CALLS = SHARED / "data" / "daily_calls_2021-04_2021-12.csv"


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (dt.date(2025, 5, 7), True),
        (dt.date(2025, 5, 6), False),  # 振替休日
        (dt.date(2026, 9, 22), False),  # 国民の休日
        (dt.date(2025, 5, 10), False),  # Saturday
        (dt.date(2025, 12, 26), True),
        (dt.date(2025, 12, 29), False),
        (dt.date(2026, 1, 2), False),
        (dt.date(2025, 1, 3), False),
        (dt.date(2026, 1, 5), True),
        (dt.date(2022, 1, 4), True),
        (dt.date(2021, 12, 28), True),
    ],
)
def test_city_business_day(day: dt.date, open_: bool) -> None:
    assert is_city_business_day(day) is open_
    assert is_city_business_day(day, CONFIG) is open_


def test_city_wide_switchboard_closure_is_not_a_business_day() -> None:
    day = dt.date(2025, 5, 7)
    config = CONFIG.with_closures(Closure(date=day, reason="臨時閉庁"))
    assert not is_city_business_day(day, config)
    assert is_city_business_day(day)  # the default config knows nothing of it


def test_closures_that_leave_the_city_open_keep_the_business_day() -> None:
    day = dt.date(2025, 5, 7)
    maintenance = Closure(date=day, reason="システム保守", services=frozenset({Service.LIVE}))
    one_line = Closure(date=day, reason="専用ダイヤル休止", dids=frozenset({"0345662466"}))
    assert is_city_business_day(day, CONFIG.with_closures(maintenance, one_line))


def test_business_days_are_inclusive_and_skip_every_break() -> None:
    days = business_days(CONFIG, dt.date(2025, 12, 25), dt.date(2026, 1, 7))
    assert days == [
        dt.date(2025, 12, 25),
        dt.date(2025, 12, 26),
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 6),
        dt.date(2026, 1, 7),
    ]


def test_business_days_of_golden_week_2025() -> None:
    days = business_days(CONFIG, dt.date(2025, 4, 26), dt.date(2025, 5, 11))
    assert days == [
        dt.date(2025, 4, 28),
        dt.date(2025, 4, 30),
        dt.date(2025, 5, 1),
        dt.date(2025, 5, 2),
        dt.date(2025, 5, 7),
        dt.date(2025, 5, 8),
        dt.date(2025, 5, 9),
    ]


def test_business_days_of_an_empty_range() -> None:
    assert business_days(CONFIG, dt.date(2025, 5, 8), dt.date(2025, 5, 7)) == []


def test_business_days_of_a_year_count() -> None:
    # 2025 has 261 weekdays. Holidays on weekdays: 1/1, 1/13, 2/11, 2/24, 3/20, 4/29, 5/5,
    # 5/6, 7/21, 8/11, 9/15, 9/23, 10/13, 11/3, 11/24 (15). Year-end weekdays that are no
    # holiday: 1/2, 1/3, 12/29, 12/30, 12/31 (5).
    days = business_days(CONFIG, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert len(days) == 261 - 15 - 5
    assert days[0] == dt.date(2025, 1, 6)
    assert days[-1] == dt.date(2025, 12, 26)


@pytest.mark.parametrize(
    ("day", "reopens"),
    [
        (dt.date(2025, 12, 29), dt.date(2026, 1, 5)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 5)),
        (dt.date(2025, 5, 3), dt.date(2025, 5, 7)),
        (dt.date(2026, 9, 19), dt.date(2026, 9, 24)),  # Silver Week 2026: 9/19-9/23
        (dt.date(2025, 5, 10), dt.date(2025, 5, 12)),
        (dt.date(2025, 5, 7), dt.date(2025, 5, 7)),
    ],
)
def test_first_business_day_after_break(day: dt.date, reopens: dt.date) -> None:
    assert first_business_day_after_break(day) == reopens
    assert first_business_day_after_break(day, CONFIG) == reopens


@pytest.mark.parametrize(
    ("day", "closed_before", "after_long_break"),
    [
        (dt.date(2026, 1, 5), 9, True),  # Sat 12/27 to Sun 1/4
        (dt.date(2025, 5, 7), 4, True),  # Sat 5/3 to Tue 5/6
        (dt.date(2025, 4, 30), 1, False),  # 4/29 昭和の日 only
        (dt.date(2025, 5, 12), 2, False),
        (dt.date(2025, 5, 8), 0, False),
        (dt.date(2025, 5, 6), 0, False),  # not itself a business day
    ],
)
def test_closed_days_before_a_day(day: dt.date, closed_before: int, after_long_break: bool) -> None:
    if is_city_business_day(day):
        assert closed_days_before(day) == closed_before
    assert is_first_business_day_after_break(day) is after_long_break


def test_business_day_split_matches_the_citys_call_volumes() -> None:
    """In the city's 2021 daily call counts, every business day is busier than any closed day."""
    if not DAILY_CALLS.is_file():
        pytest.skip(f"shared data not present: {DAILY_CALLS}")
    with DAILY_CALLS.open(encoding="utf-8") as handle:
        rows = [(dt.date.fromisoformat(r["date"]), int(r["calls"])) for r in csv.DictReader(handle)]
    open_days = [calls for day, calls in rows if is_city_business_day(day)]
    closed_days = [calls for day, calls in rows if not is_city_business_day(day)]
    assert len(open_days) + len(closed_days) == len(rows) == 275
    assert min(open_days) > max(closed_days)
