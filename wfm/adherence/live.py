"""Adherence pushed live to supervisors (F-2.3.2).

A subsystem follows the contact event log (``agent.signed_in``, ``agent.signed_out``,
``agent.state_changed`` — from the call path or any other writer, in any process) by sequence
number. For every agent whose state changed it recomputes that agent's adherence for today (Japan
time) and pushes ``adherence`` on ``/supervisor`` (room ``all``); the ``/supervisor`` snapshot
holds every scheduled agent's. The call path wakes it at once (:meth:`AdherenceLive.wake`); the
log is also read every ``MADOGUCHI_WFM_ADHERENCE_PUSH_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cms.models import ContactEvent
from realtime.subsystems import LoopTask
from realtime.timeutil import JST, utcnow
from wfm.adherence.compute import (
    ScheduledShift,
    StateEvent,
    Thresholds,
    _adherent,
    agent_adherence,
)
from wfm.adherence.service import AGENT_EVENTS, state_events
from wfm.shifts.service import assignments_on

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger("wfm.adherence.live")

EVENT = "adherence"
NAMESPACE = "/supervisor"
EXTRAS_KEY = "adherence_live"


@dataclass(frozen=True)
class LiveAdherence:
    """One scheduled agent right now: what the schedule says, what they do, since when."""

    agent: str
    day: date
    scheduled: str  # "working", "break" (inside the shift, on its break) or "off"
    actual: str  # signed_out, not_ready, ready, offered, on_call, held, wrap_up
    reason: str | None
    since: datetime | None  # when ``actual`` began (None: no event today)
    adherent: bool  # doing what the schedule asks now (always true when not scheduled to work)
    scheduled_min: int
    adherent_min: int
    exceptions: int

    @property
    def adherence(self) -> float | None:
        """Adherent over scheduled minutes so far today."""
        return self.adherent_min / self.scheduled_min if self.scheduled_min else None

    def to_json(self) -> dict[str, Any]:
        """The ``adherence`` push."""
        return {
            "agent": self.agent,
            "day": self.day.isoformat(),
            "adherent": self.adherent,
            "scheduled": self.scheduled,
            "actual": self.actual,
            "reason": self.reason,
            "since": self.since.isoformat() if self.since else None,
            "scheduled_min": self.scheduled_min,
            "adherent_min": self.adherent_min,
            "adherence": self.adherence,
            "exceptions": self.exceptions,
        }


def _scheduled_now(shift: ScheduledShift, now: datetime) -> str:
    if shift.working(now):
        return "working"
    if shift.start_at <= now < shift.end_at:
        return "break"
    return "off"


def _since(events: list[StateEvent], now: datetime) -> tuple[datetime | None, str | None]:
    before = [e for e in events if e.at <= now]
    if not before:
        return None, None
    last = before[-1]
    return last.at, last.reason


def live_adherence(
    session: Session,
    *,
    now: datetime,
    agents: set[str] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[LiveAdherence]:
    """Today's adherence of the scheduled agents (all, or those in ``agents``) at ``now``."""
    day = now.astimezone(JST).date()
    start = datetime.combine(day, time(), JST)
    shifts = [
        ScheduledShift(a.agent_id, a.start_at, a.end_at, a.break_start_at, a.break_end_at)
        for a in assignments_on(session, day=day)
        if agents is None or a.agent_id in agents
    ]
    if not shifts:
        return []
    events = state_events(session, start=start, end=start + timedelta(days=1))
    out = []
    for shift in sorted(shifts, key=lambda s: (s.start_at, s.agent_id)):
        own = [e for e in events if e.agent_id == shift.agent_id]
        figures = agent_adherence(shift=shift, events=own, now=now, thresholds=thresholds)
        scheduled = _scheduled_now(shift, now)
        since, reason = _since(own, now)
        actual = figures.state_now
        adherent = scheduled != "working" or _adherent(actual, reason, thresholds)
        out.append(
            LiveAdherence(
                agent=shift.agent_id,
                day=day,
                scheduled=scheduled,
                actual=actual,
                reason=reason if actual == "not_ready" else None,
                since=since,
                adherent=adherent,
                scheduled_min=figures.scheduled_min,
                adherent_min=figures.adherent_min,
                exceptions=len(figures.exceptions),
            )
        )
    return out


def agents_changed(session: Session, *, after_seq: int) -> tuple[set[str], int]:
    """Agents with a sign-in, sign-out or state event after ``after_seq``, and the last seq."""
    rows = session.exec(
        select(ContactEvent.seq, ContactEvent.agent)
        .where(col(ContactEvent.seq) > after_seq, col(ContactEvent.type).in_(AGENT_EVENTS))
        .order_by(col(ContactEvent.seq))
    ).all()
    last = max((int(seq) for seq, _ in rows if seq is not None), default=after_seq)
    return {agent for _, agent in rows if agent}, last


def last_seq(session: Session) -> int:
    """The highest sequence number in the log (0 when empty)."""
    value = session.exec(select(func.max(ContactEvent.seq))).one()
    return int(value or 0)


@dataclass
class AdherenceLive:
    """The subsystem: follows the log, pushes ``adherence`` per changed agent."""

    ctx: AppContext
    interval: float = 2.0
    clock: Callable[[], datetime] = utcnow
    name: str = "wfm-adherence-live"
    seen_seq: int | None = None
    """The last log sequence read; None until the log could be read once."""
    pushes: int = 0
    _loop_task: LoopTask = field(default_factory=lambda: LoopTask("adherence push"))
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Start after the events already stored; add the snapshot part; run the loop."""

        try:
            self.seen_seq = await self._head()
        except Exception:  # the database is down: the server still starts; the loop retries
            log.warning("adherence push: event log unreadable at start; will retry")
        self.ctx.hub.add_snapshot_provider(NAMESPACE, self._snapshot)
        self._loop_task.start(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Stop the loop."""
        await self._loop_task.stop()

    async def ready(self) -> None:
        """Ready while the loop runs."""
        self._loop_task.check()

    async def _head(self) -> int:
        def read() -> int:
            with self.ctx.db.session() as session:
                return last_seq(session)

        return await self.ctx.db.run(read)

    def wake(self) -> None:
        """Read the log now (the call path calls this after an agent's state changed)."""
        self._wake.set()

    async def _snapshot(self, *_args: Any) -> dict[str, Any]:
        now = self.clock()

        def load() -> list[LiveAdherence]:
            with self.ctx.db.session() as session:
                return live_adherence(session, now=now)

        rows = await self.ctx.db.run(load)
        return {"adherence": [r.to_json() for r in rows]}

    async def tick(self) -> list[dict[str, Any]]:
        """Read new agent events once; push and return each changed scheduled agent's row."""
        now = self.clock()

        if self.seen_seq is None:  # start after what was stored before the server came up
            self.seen_seq = await self._head()
            return []
        after = self.seen_seq

        def load() -> tuple[list[LiveAdherence], int]:
            with self.ctx.db.session() as session:
                agents, seq = agents_changed(session, after_seq=after)
                rows = live_adherence(session, now=now, agents=agents) if agents else []
                return rows, seq

        rows, seq = await self.ctx.db.run(load)
        self.seen_seq = seq
        pushed = []
        for row in rows:
            data = row.to_json()
            await self.ctx.hub.emit(EVENT, data, namespace=NAMESPACE, room="all")
            pushed.append(data)
        self.pushes += len(pushed)
        return pushed

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a database hiccup must not end the live view
                log.exception("adherence push round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()


def wake(ctx: AppContext) -> None:
    """Wake the app's adherence push, if it runs (called by the call path)."""
    live = ctx.extras.get(EXTRAS_KEY)
    if isinstance(live, AdherenceLive):
        live.wake()


def build(ctx: AppContext) -> AdherenceLive | None:
    """The app's subsystem factory; off when ``MADOGUCHI_WFM_ADHERENCE_PUSH_SECONDS`` is 0."""
    interval = float(ctx.settings.wfm_adherence_push_seconds)
    if interval <= 0:
        return None
    live = AdherenceLive(ctx, interval=interval)
    ctx.extras[EXTRAS_KEY] = live
    return live
