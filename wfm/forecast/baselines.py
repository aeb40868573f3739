"""Reference forecasts the model must beat: same weekday last week, plain calendar regression."""

from __future__ import annotations

import math
from datetime import date, timedelta

from wfm.forecast.calendar import CityCalendar
from wfm.forecast.history import DailyHistory
from wfm.forecast.linalg import ridge


def same_weekday_last_week(history: DailyHistory, days: list[date]) -> dict[date, float]:
    """Each day gets the calls of the latest same weekday in the history."""
    out: dict[date, float] = {}
    for day in days:
        source = day - timedelta(days=7)
        while source > history.last:
            source -= timedelta(days=7)
        while source not in history.counts and source > history.first:
            source -= timedelta(days=7)
        out[day] = float(history.counts.get(source, 0))
    return out


def _calendar_row(day: date, calendar: CityCalendar) -> list[float]:
    info = calendar.info(day)
    weekday = [float(day.weekday() == k and info.business) for k in range(1, 5)]
    return [
        1.0,
        *weekday,
        float(not info.business and day.weekday() < 5),
        float(not info.business and day.weekday() == 5),
        float(not info.business and day.weekday() == 6),
        float(info.business and info.missed_before > 0),
    ]


def calendar_regression(
    history: DailyHistory, days: list[date], *, calendar: CityCalendar | None = None
) -> dict[date, float]:
    """Log-linear regression on weekday, closed-day type and day-after-holiday, no level."""
    cal = calendar or CityCalendar()
    known = sorted(history.usable(cal))
    rows = [_calendar_row(d, cal) for d in known]
    targets = [math.log(history.counts[d] + 1.0) for d in known]
    p = len(rows[0])
    beta = ridge(
        rows=rows,
        targets=targets,
        weights=[1.0] * len(rows),
        penalties=[1e-6] * p,
        priors=[0.0] * p,
    )
    return {
        d: max(
            math.exp(sum(b * x for b, x in zip(beta, _calendar_row(d, cal), strict=True))) - 1, 0
        )
        for d in days
    }
