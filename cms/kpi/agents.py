"""Operators deployed (オペレータ配置人数): the most agents signed in at once, per JST clock hour.

An agent is signed in from ``agent.signed_in`` (or any ``agent.state_changed`` other than
``signed_out``, which covers agents who signed in before the events read) until
``agent.signed_out`` (or a ``state_changed`` to ``signed_out``). Events are ordered by
(occurred_at, seq) per agent, so the order they are read in does not matter, and repeats only
re-state what is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from cms.kpi.source import EventRow
from realtime.timeutil import JST

HOUR = timedelta(hours=1)
_SIGN_IN = "agent.signed_in"
_SIGN_OUT = "agent.signed_out"
_STATE = "agent.state_changed"
PRESENCE_TYPES = frozenset({_SIGN_IN, _SIGN_OUT, _STATE})


class PresenceFold:
    """Collects presence events per agent; :meth:`hourly_peaks` sweeps them."""

    def __init__(self) -> None:
        self._marks: dict[str, set[tuple[datetime, int, bool]]] = {}

    def add(self, row: EventRow) -> None:
        """Fold one event; non-presence events and events without an agent are ignored."""
        if row.type not in PRESENCE_TYPES or not row.agent:
            return
        if row.type == _STATE:
            signed_in = row.payload.get("state") != "signed_out"
        else:
            signed_in = row.type == _SIGN_IN
        self._marks.setdefault(row.agent, set()).add((row.occurred_at, row.seq, signed_in))

    def _transitions(self) -> list[tuple[datetime, int]]:
        changes: list[tuple[datetime, int]] = []
        for marks in self._marks.values():
            state = False
            for at, _seq, signed_in in sorted(marks):
                if signed_in != state:
                    changes.append((at, 1 if signed_in else -1))
                    state = signed_in
        changes.sort()
        return changes

    def hourly_peaks(self, *, start: datetime, end: datetime) -> dict[datetime, int]:
        """Most agents signed in at once in each JST hour of [start, end) (hour start, JST)."""
        changes = self._transitions()
        hour = start.astimezone(JST).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        end = end.astimezone(UTC)
        peaks: dict[datetime, int] = {}
        current = 0
        i = 0
        while hour < end:
            upper = min(hour + HOUR, end)
            while i < len(changes) and changes[i][0] <= hour:
                current += changes[i][1]
                i += 1
            peak = current
            while i < len(changes) and changes[i][0] < upper:
                current += changes[i][1]
                peak = max(peak, current)
                i += 1
            peaks[hour.astimezone(JST)] = peak
            hour = hour + HOUR
        return peaks

    def agents_seen(self) -> int:
        """How many distinct agents have presence events."""
        return len(self._marks)


def peak(values: Iterable[int]) -> int:
    """The largest value, 0 for none."""
    return max(values, default=0)
