"""Adherence per minute and exceptions (late login, early logout, long not ready).

An agent is *in adherence* during a scheduled working minute (shift minus break) when the state
at the start of that minute is one of ready, offered, on_call, held or wrap_up, or not_ready with
an allowed reason. Adherence % = adherent minutes / scheduled minutes elapsed so far.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

ON_PHONES = frozenset({"ready", "offered", "on_call", "held", "wrap_up"})
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class ScheduledShift:
    """One agent's shift (aware datetimes); the break is excluded from scheduled work."""

    agent_id: str
    start_at: datetime
    end_at: datetime
    break_start_at: datetime | None = None
    break_end_at: datetime | None = None

    def working(self, at: datetime) -> bool:
        """Whether the minute starting at ``at`` is scheduled work."""
        if not self.start_at <= at < self.end_at:
            return False
        return not (
            self.break_start_at is not None
            and self.break_end_at is not None
            and self.break_start_at <= at < self.break_end_at
        )


@dataclass(frozen=True)
class StateEvent:
    """An agent's state from ``at`` on (signed_in counts as not_ready until a state follows)."""

    agent_id: str
    at: datetime
    state: str
    reason: str | None = None


class ExceptionKind(StrEnum):
    """What went wrong."""

    LATE_LOGIN = "late_login"
    ABSENT = "absent"
    EARLY_LOGOUT = "early_logout"
    NOT_READY = "not_ready"


EXCEPTION_LABELS_JA: dict[ExceptionKind, str] = {
    ExceptionKind.LATE_LOGIN: "遅刻ログイン",
    ExceptionKind.ABSENT: "未ログイン",
    ExceptionKind.EARLY_LOGOUT: "早退ログアウト",
    ExceptionKind.NOT_READY: "長時間の離席(受付不可)",
}


@dataclass(frozen=True)
class AdherenceException:
    """One exception with its span and length in minutes."""

    agent_id: str
    kind: ExceptionKind
    start_at: datetime
    minutes: int
    reason: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Minutes of grace before an exception is raised."""

    late_login_min: int = 5
    early_logout_min: int = 5
    not_ready_min: int = 10
    allowed_reasons: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class AgentAdherence:
    """One agent's scheduled and adherent minutes so far, and exceptions."""

    agent_id: str
    scheduled_min: int
    adherent_min: int
    state_now: str
    exceptions: tuple[AdherenceException, ...]

    @property
    def adherence(self) -> float | None:
        """Adherent over scheduled minutes; None before the shift starts."""
        return self.adherent_min / self.scheduled_min if self.scheduled_min else None


class _Timeline:
    def __init__(self, events: Sequence[StateEvent]) -> None:
        ordered = sorted(events, key=lambda e: e.at)
        self.times = [e.at for e in ordered]
        self.events = ordered

    def at(self, when: datetime) -> tuple[str, str | None]:
        i = bisect.bisect_right(self.times, when) - 1
        if i < 0:
            return "signed_out", None
        e = self.events[i]
        state = "not_ready" if e.state == "signed_in" else e.state
        return state, e.reason

    def first_in(self, start: datetime, end: datetime) -> datetime | None:
        """When the agent was first signed in at or after ``start`` (before ``end``)."""
        if self.at(start)[0] != "signed_out":
            return start
        for t, e in zip(self.times, self.events, strict=True):
            if start <= t < end and e.state != "signed_out":
                return t
        return None


def _adherent(state: str, reason: str | None, thresholds: Thresholds) -> bool:
    return state in ON_PHONES or (state == "not_ready" and reason in thresholds.allowed_reasons)


def agent_adherence(
    *, shift: ScheduledShift, events: Sequence[StateEvent], now: datetime, thresholds: Thresholds
) -> AgentAdherence:
    """Adherence and exceptions of one shift up to ``now``."""
    line = _Timeline([e for e in events if e.agent_id == shift.agent_id])
    until = min(now, shift.end_at)
    scheduled = adherent = 0
    exceptions: list[AdherenceException] = []
    run_start: datetime | None = None
    run_len = 0
    run_reason: str | None = None

    def close_run() -> None:
        nonlocal run_start, run_len
        if run_start is not None and run_len > thresholds.not_ready_min:
            exceptions.append(
                AdherenceException(
                    shift.agent_id, ExceptionKind.NOT_READY, run_start, run_len, run_reason
                )
            )
        run_start, run_len = None, 0

    t = shift.start_at
    while t < until:
        if shift.working(t):
            scheduled += 1
            state, reason = line.at(t)
            if _adherent(state, reason, thresholds):
                adherent += 1
                close_run()
            elif state == "not_ready":
                if run_start is None:
                    run_start, run_reason = t, reason
                run_len += 1
            else:
                close_run()
        else:
            close_run()
        t += MINUTE
    close_run()
    grace = timedelta(minutes=thresholds.late_login_min)
    first = line.first_in(shift.start_at, shift.end_at)
    if first is None and now >= shift.start_at + grace:
        late = int((until - shift.start_at) / MINUTE)
        exceptions.insert(
            0, AdherenceException(shift.agent_id, ExceptionKind.ABSENT, shift.start_at, late)
        )
    elif first is not None and first > shift.start_at + grace:
        late = int((first - shift.start_at) / MINUTE)
        exceptions.insert(
            0, AdherenceException(shift.agent_id, ExceptionKind.LATE_LOGIN, shift.start_at, late)
        )
    early_grace = timedelta(minutes=thresholds.early_logout_min)
    if first is not None:
        outs = [
            e.at
            for e in line.events
            if e.state == "signed_out" and first < e.at < shift.end_at - early_grace
        ]
        if outs and line.at(min(now, shift.end_at) - timedelta(microseconds=1))[0] == "signed_out":
            gone = outs[-1]
            exceptions.append(
                AdherenceException(
                    shift.agent_id,
                    ExceptionKind.EARLY_LOGOUT,
                    gone,
                    int((shift.end_at - gone) / MINUTE),
                )
            )
    return AgentAdherence(
        agent_id=shift.agent_id,
        scheduled_min=scheduled,
        adherent_min=adherent,
        state_now=line.at(now)[0],
        exceptions=tuple(exceptions),
    )


@dataclass(frozen=True)
class AdherenceReport:
    """Every scheduled agent of the day and the team's adherence so far."""

    now: datetime
    agents: tuple[AgentAdherence, ...]

    @property
    def adherence(self) -> float | None:
        """Adherent over scheduled minutes for the whole team."""
        scheduled = sum(a.scheduled_min for a in self.agents)
        return sum(a.adherent_min for a in self.agents) / scheduled if scheduled else None

    @property
    def exceptions(self) -> list[AdherenceException]:
        """All exceptions, earliest first."""
        return sorted((x for a in self.agents for x in a.exceptions), key=lambda x: x.start_at)


def adherence_report(
    *,
    shifts: Iterable[ScheduledShift],
    events: Sequence[StateEvent],
    now: datetime,
    thresholds: Thresholds = Thresholds(),
) -> AdherenceReport:
    """Adherence of every shift up to ``now`` (one row per shift)."""
    rows = tuple(
        agent_adherence(shift=s, events=events, now=now, thresholds=thresholds)
        for s in sorted(shifts, key=lambda s: (s.start_at, s.agent_id))
    )
    return AdherenceReport(now=now, agents=rows)
