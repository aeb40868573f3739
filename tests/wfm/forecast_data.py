"""Synthetic daily histories for the forecast tests (deterministic, no shared data needed)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from wfm.forecast.calendar import CityCalendar

WEEKDAY_FACTOR = (1.18, 1.0, 0.98, 0.96, 1.0)
SHARED_HISTORY = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "daily_calls_2021-04_2021-12.csv"
)


def synthetic_counts(
    first: date, last: date, *, seed: int = 7, level: float = 700.0
) -> dict[date, int]:
    """Weekday pattern, holidays at a fifth, Tuesday-after-holiday catch-up, 5 % noise."""
    rng = random.Random(seed)
    cal = CityCalendar()
    out: dict[date, int] = {}
    day = first
    while day <= last:
        info = cal.info(day)
        if info.business:
            base = level * WEEKDAY_FACTOR[0 if info.first_after_break else day.weekday()]
            base *= 1.0 + 0.09 * info.missed_before
        elif day.weekday() == 6:
            base = level * 0.1
        else:
            base = level * 0.2
        out[day] = max(0, round(base * rng.lognormvariate(0.0, 0.05)))
        day += timedelta(days=1)
    return out


def write_history(
    path: Path, counts: dict[date, int], *, order: str = "date,weekday,calls"
) -> Path:
    """Write counts as a history CSV with the given column order."""
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    columns = order.split(",")
    lines = [order]
    for day, calls in sorted(counts.items()):
        cells = {"date": day.isoformat(), "weekday": names[day.weekday()], "calls": str(calls)}
        lines.append(",".join(cells[c] for c in columns))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
