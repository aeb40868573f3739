"""Arrival profiles from an hourly shape scaled to a day total."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from switch.simulation.errors import InvalidSimulationInput
from switch.simulation.model import ArrivalProfile


def _seconds(hhmm: str) -> float:
    hours, _, minutes = hhmm.partition(":")
    try:
        return int(hours) * 3600.0 + int(minutes or 0) * 60.0
    except ValueError as exc:
        raise InvalidSimulationInput(problem=f"bad hour {hhmm!r}") from exc


def profile_from_hourly(
    *, hourly: Mapping[str, float], day_total: float, interval_s: float = 1800.0
) -> ArrivalProfile:
    """Hourly counts ("08:00" -> n, consecutive hours) as a shape, scaled to ``day_total``."""
    if not hourly:
        raise InvalidSimulationInput(problem="empty hourly profile")
    if 3600 % interval_s:
        raise InvalidSimulationInput(problem="interval must divide an hour")
    hours = sorted((_seconds(h), float(n)) for h, n in hourly.items())
    for (a, _), (b, _) in pairwise(hours):
        if b - a != 3600:
            raise InvalidSimulationInput(problem="hours must be consecutive")
    total = sum(n for _, n in hours)
    if total <= 0 or any(n < 0 for _, n in hours):
        raise InvalidSimulationInput(problem="hourly counts must be >= 0 with a positive sum")
    per_hour = int(3600 // interval_s)
    expected = tuple(day_total * n / total / per_hour for _, n in hours for _ in range(per_hour))
    return ArrivalProfile(start_s=hours[0][0], interval_s=interval_s, expected=expected)
