"""Day-type features of the calendar regression, with their priors.

Each feature is a log-space multiplicative effect. Its prior (mean, standard deviation) is what
the model falls back to when the history has no such day: ridge regression pulls every
coefficient towards its prior mean, harder the smaller the prior deviation. Rare day types
therefore behave sensibly even when the history never saw them (the year-end closure and
the first business day after it are not in an April-December history).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from wfm.forecast.calendar import DayInfo

NOISE_SD = 0.08
"""Typical day-to-day noise of log daily calls; scales the prior penalties."""


@dataclass(frozen=True)
class Feature:
    """One column of the design matrix."""

    name: str
    prior: float
    prior_sd: float
    value: Callable[[DayInfo], float]

    @property
    def penalty(self) -> float:
        """Ridge penalty equivalent to a normal prior with ``prior_sd``."""
        return (NOISE_SD / self.prior_sd) ** 2


def _weekday(n: int) -> Callable[[DayInfo], float]:
    def value(info: DayInfo) -> float:
        return float(info.business and not info.first_after_break and info.weekday == n)

    return value


def _closed_weekday(info: DayInfo) -> float:
    return float(not info.business and info.weekday < 5)


def _closure(info: DayInfo) -> float:
    return float(not info.business and (info.yearend_closure or info.extra_closure))


WIDE = 2.0
"""Prior deviation for effects every history shows many times (data decides)."""

FEATURES: tuple[Feature, ...] = (
    Feature("level", 0.0, 100.0, lambda i: 1.0),
    # Business days. Tuesday is the reference weekday.
    Feature(
        "monday_role",
        0.15,
        WIDE,
        lambda i: float(i.business and (i.weekday == 0 or i.first_after_break)),
    ),
    Feature("wednesday", 0.0, WIDE, _weekday(2)),
    Feature("thursday", 0.0, WIDE, _weekday(3)),
    Feature("friday", 0.0, WIDE, _weekday(4)),
    # Catch-up after a break, per closed weekday lost (Tue after a holiday Monday: 1;
    # first day after the year-end closure: typically 4).
    Feature("missed_before", 0.08, 0.04, lambda i: float(min(i.missed_before, 6))),
    Feature("second_after_break", 0.02, 0.03, lambda i: float(min(i.second_missed, 6))),
    Feature("before_break", 0.0, 0.05, lambda i: float(i.business and i.missed_after > 0)),
    # The first working day of the year collects the New-Year backlog on top of the
    # catch-up; the rest of that week stays busy.
    Feature("after_yearend", math.log(1.10), 0.10, lambda i: float(i.after_yearend)),
    Feature(
        "new_year_week",
        math.log(1.06),
        0.05,
        lambda i: float(
            i.business and i.day.month == 1 and i.day.day <= 10 and not i.after_yearend
        ),
    ),
    Feature(
        "month_first_day",
        0.0,
        0.05,
        lambda i: float(i.business and i.business_index_in_month == 1),
    ),
    Feature("month_last_day", 0.0, 0.05, lambda i: float(i.business and i.last_business_in_month)),
    # Closed days (relative to an average business day).
    Feature("closed_weekday", math.log(0.18), WIDE, _closed_weekday),
    Feature("saturday", math.log(0.2), WIDE, lambda i: float(not i.business and i.weekday == 5)),
    Feature("sunday", math.log(0.1), WIDE, lambda i: float(not i.business and i.weekday == 6)),
    # Closure days behave like holidays unless the history says otherwise; the first
    # closure day still gets callers who expected the office open, New Year's Day and
    # the day after are the quietest of the year.
    Feature("closure", 0.0, 0.2, _closure),
    Feature(
        "closure_first_day",
        math.log(1.5),
        0.3,
        lambda i: float(
            not i.business and i.yearend_closure and i.day.month == 12 and i.day.day == 29
        ),
    ),
    Feature(
        "new_year_days",
        math.log(0.5),
        0.3,
        lambda i: float(not i.business and i.day.month == 1 and i.day.day <= 2),
    ),
    Feature(
        "holiday_on_weekend",
        0.0,
        0.2,
        lambda i: float(not i.business and i.holiday and i.weekday >= 5),
    ),
)


def design_row(info: DayInfo) -> list[float]:
    """The feature values of one day."""
    return [f.value(info) for f in FEATURES]
