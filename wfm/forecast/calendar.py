"""Japanese city-hall calendar: which days are open and where each day sits around breaks.

A day is *closed* on Saturdays, Sundays, Japanese public and substitute holidays
(``holidays.Japan``), the year-end closure (December 29 to January 3) and any extra closure
an administrator enters. Every other day is a *business day*. For business days the calendar
also says how many business days were lost in the break just before (the catch-up after a
holiday) and just after (the rush before one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from switch.calendar.holidays import is_public_holiday
from switch.calendar.model import YEAR_END

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ONE_DAY = timedelta(days=1)


def is_yearend_closure(day: date) -> bool:
    """December 29 to January 3, when city halls are closed (the calendar's annual rule)."""
    return YEAR_END.covers(day)


@dataclass(frozen=True)
class DayInfo:
    """Where one calendar day sits in the city-hall calendar."""

    day: date
    business: bool
    holiday: bool
    yearend_closure: bool
    extra_closure: bool
    # Business days only (0 otherwise):
    first_after_break: bool = False
    """First business day after two or more closed days (it takes Monday's role)."""
    missed_before: int = 0
    """Closed weekdays in the break right before this business day."""
    second_missed: int = 0
    """For the second business day after a break: the weekdays lost in that break."""
    missed_after: int = 0
    """Closed weekdays in the break right after this business day."""
    after_yearend: bool = False
    """First business day after the year-end closure."""
    business_index_in_month: int = 0
    last_business_in_month: bool = False

    @property
    def weekday(self) -> int:
        """0 = Monday."""
        return self.day.weekday()


@dataclass
class CityCalendar:
    """The calendar of one center: Japanese holidays, the year-end closure and extra closures."""

    extra_closures: frozenset[date] = field(default_factory=frozenset)
    _cache: dict[date, DayInfo] = field(default_factory=dict, repr=False)

    def closed(self, day: date) -> bool:
        """Whether the city hall is closed that day."""
        return (
            day.weekday() >= 5
            or is_public_holiday(day)
            or is_yearend_closure(day)
            or day in self.extra_closures
        )

    def _break_weekdays(self, start: date, step: timedelta) -> tuple[int, int]:
        """Length of the closed run starting at ``start`` going by ``step``, and its weekdays."""
        length = 0
        weekdays = 0
        day = start
        while self.closed(day) and length < 30:
            length += 1
            if day.weekday() < 5:
                weekdays += 1
            day += step
        return length, weekdays

    def info(self, day: date) -> DayInfo:
        """Classify one day (memoised)."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        holiday = is_public_holiday(day)
        yearend = is_yearend_closure(day)
        extra = day in self.extra_closures
        if self.closed(day):
            result = DayInfo(day, False, holiday, yearend, extra)
        else:
            length_before, missed_before = self._break_weekdays(day - ONE_DAY, -ONE_DAY)
            _, missed_after = self._break_weekdays(day + ONE_DAY, ONE_DAY)
            second_missed = 0
            previous = day - ONE_DAY
            if length_before == 0:
                prev_length, prev_missed = self._break_weekdays(previous - ONE_DAY, -ONE_DAY)
                if prev_length > 0:
                    second_missed = prev_missed
            after_yearend = length_before > 0 and is_yearend_closure(day - ONE_DAY)
            index = 1 + sum(1 for d in range(1, day.day) if not self.closed(day.replace(day=d)))
            nxt = day + ONE_DAY
            last_in_month = True
            while nxt.month == day.month:
                if not self.closed(nxt):
                    last_in_month = False
                    break
                nxt += ONE_DAY
            result = DayInfo(
                day,
                True,
                holiday,
                yearend,
                extra,
                first_after_break=length_before >= 2,
                missed_before=missed_before,
                second_missed=second_missed,
                missed_after=missed_after,
                after_yearend=after_yearend,
                business_index_in_month=index,
                last_business_in_month=last_in_month,
            )
        self._cache[day] = result
        return result


def days_between(start: date, end: date) -> list[date]:
    """Every calendar day from start to end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
