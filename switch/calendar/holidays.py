"""Japanese public holidays with their Japanese names, from the maintained ``holidays`` library.

Covers 国民の祝日, 振替休日 (substitute holidays) and 国民の休日 (a day between two holidays),
plus one-off days set by law (e.g. 2019-05-01 天皇の即位の日). Cached per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from holidays.countries.japan import Japan

from switch.calendar.errors import HolidayDataUnavailable

_JAPAN = Japan
FIRST_YEAR: int = int(_JAPAN.start_year)
LAST_YEAR: int = int(_JAPAN.end_year)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> Mapping[date, str]:
    """Every public holiday of ``year`` mapped to its Japanese name (read-only)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise HolidayDataUnavailable(year=year, first_year=FIRST_YEAR, last_year=LAST_YEAR)
    table = _JAPAN(years=year, language="ja")
    return MappingProxyType({day: str(name) for day, name in sorted(table.items())})


def holiday_name(day: date) -> str | None:
    """The Japanese name of the holiday on ``day``, or None on an ordinary day."""
    return public_holidays(day.year).get(day)


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a public, substitute or citizens' holiday."""
    return holiday_name(day) is not None
