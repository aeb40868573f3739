"""Daily history per line from the contact event log (one row per offered call)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from realtime.timeutil import JST, as_utc
from wfm.forecast.calendar import days_between
from wfm.forecast.history import DailyHistory, build_history


@dataclass(frozen=True)
class OfferedCall:
    """One 'offered' row of the event log: when the call arrived and on which line."""

    at: datetime
    line: str


def history_from_event_log(
    offered: Iterable[OfferedCall],
    *,
    line: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> DailyHistory:
    """Count offered calls per Japan-time day (optionally one line) into a checked history.

    The log covers every day from ``first`` to ``last`` (default: the first and last call), so
    days without a call count as zero rather than as gaps.
    """
    counts: dict[date, int] = {}
    for call in offered:
        if line is not None and call.line != line:
            continue
        day = as_utc(call.at).astimezone(JST).date()
        counts[day] = counts.get(day, 0) + 1
    if counts:
        start = first or min(counts)
        end = last or max(counts)
        counts = {d: counts.get(d, 0) for d in days_between(start, end)}
    return build_history(counts, source=f"event log ({line or 'all lines'})")
