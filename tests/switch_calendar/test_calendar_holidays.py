"""Japanese public holidays from the holidays library, in Japanese, incl. 振替休日/国民の休日."""

from __future__ import annotations

import datetime as dt

import pytest

from switch.calendar.errors import HolidayDataUnavailable
from switch.calendar.holidays import holiday_name, is_public_holiday, public_holidays


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2024, 2, 12), "振替休日"),
        (dt.date(2025, 5, 6), "振替休日"),
        (dt.date(2025, 11, 24), "振替休日"),
        (dt.date(2026, 9, 22), "国民の休日"),
        (dt.date(2019, 5, 2), "国民の休日"),
        (dt.date(2019, 5, 1), "天皇の即位の日"),
        (dt.date(2021, 7, 22), "海の日"),  # moved for the Olympics by special law
        (dt.date(2021, 8, 9), "振替休日"),
        (dt.date(2026, 1, 1), "元日"),
        (dt.date(2026, 9, 21), "敬老の日"),
    ],
)
def test_holiday_has_its_japanese_name(day: dt.date, name: str) -> None:
    assert holiday_name(day) == name
    assert is_public_holiday(day)


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    "day",
    [
        dt.date(2025, 5, 7),
        dt.date(2021, 7, 19),  # the usual 海の日 Monday, not a holiday in 2021
        dt.date(2024, 12, 30),  # year-end is a city closure, not a public holiday
        dt.date(2026, 9, 24),
    ],
)
def test_ordinary_day_is_not_a_holiday(day: dt.date) -> None:
    assert holiday_name(day) is None
    assert not is_public_holiday(day)


def test_year_table_is_read_only_and_cached() -> None:
    table = public_holidays(2025)
    assert public_holidays(2025) is table
    assert all(day.year == 2025 for day in table)
    with pytest.raises(TypeError):
        table[dt.date(2025, 6, 1)] = "x"  # type: ignore[index]


@pytest.mark.parametrize("year", [1948, 2100])
def test_year_outside_the_data_raises_instead_of_guessing(year: int) -> None:
    with pytest.raises(HolidayDataUnavailable) as caught:
        public_holidays(year)
    assert caught.value.year == year
    assert caught.value.error_id == "holiday-data-unavailable"
