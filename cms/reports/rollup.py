"""Rollups of closed days: one fact row per contact and the operator peak of every hour.

``refresh_rollups`` folds only what changed since the last refresh: contacts touched by events
with ``seq`` above the watermark, contacts received on days that closed since, and presence of
the days touched. Every touched contact is re-folded from ALL its events, so the result does not
depend on order, repeats or how often the refresh runs (idempotent). Days are closed at JST
midnight; the day in progress is never rolled up.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, insert, select
from sqlmodel import Session

from cms.kpi.agents import PresenceFold
from cms.kpi.contacts import ContactFacts
from cms.kpi.settings import KpiSettings
from cms.models import ContactEvent
from cms.reports.errors import RollupInFuture
from cms.reports.fold import Extra, fold_contacts
from cms.reports.models import ContactFactRow, OperatorHourRow, RollupState
from cms.reports.reader import agent_rows, rows_of_contacts
from realtime.timeutil import JST, utcnow

EVENTS: Table = ContactEvent.__table__  # type: ignore[attr-defined]
FACTS: Table = ContactFactRow.__table__  # type: ignore[attr-defined]
HOURS: Table = OperatorHourRow.__table__  # type: ignore[attr-defined]
ROLLUP_SETTINGS = KpiSettings()
"""Facts are folded with the default readings; reports with other fact-level readings fold live."""
PRESENCE_LOOKBACK = dt.timedelta(days=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did."""

    last_seq: int
    closed_until: dt.datetime
    contacts_refolded: int
    days_of_presence: int


def jst_midnight(day: dt.date) -> dt.datetime:
    """00:00 JST of ``day`` as UTC."""
    return dt.datetime.combine(day, dt.time(0), JST).astimezone(dt.UTC)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def fact_values(f: ContactFacts, x: Extra) -> dict[str, Any]:
    """The row of one contact's facts."""
    assert x.first is not None
    assert x.last is not None
    return {
        "contact_id": f.contact_id,
        "received_at": f.received_at,
        "receipt_inferred": f.receipt_inferred,
        "kind": f.kind,
        "channel": f.channel,
        "line": f.line,
        "menu": f.menu,
        "queue": f.queue,
        "agent": f.agent,
        "work_type": f.work_type,
        "resolution": f.resolution,
        "section": f.section,
        "category": f.category,
        "queued_at": f.queued_at,
        "answered_at": f.answered_at,
        "wait_s": f.wait_s,
        "abandoned_at": f.abandoned_at,
        "abandon_stage": f.abandon_stage,
        "abandon_wait_s": f.abandon_wait_s,
        "ended_at": f.ended_at,
        "talk_s": f.talk_s,
        "hold_s": f.hold_s,
        "wrapup_s": f.wrapup_s,
        "closed_guidance": f.closed_guidance,
        "transfers_out": json.dumps(list(f.transfers_out), ensure_ascii=False),
        "forwarded_to": json.dumps(list(f.forwarded_to), ensure_ascii=False),
        "replied_at": f.replied_at,
        "violations": json.dumps(list(f.violations), ensure_ascii=False),
        "callback_requested": f.callback_requested,
        "survey_score": f.survey_score,
        "callback_reached": f.callback_reached,
        "escalated": x.escalated,
        "first_event_at": x.first,
        "last_event_at": x.last,
        "events": x.events,
    }


def _state(session: Session) -> RollupState:
    state = session.get(RollupState, 1)
    if state is None:
        state = RollupState(id=1, last_seq=0)
        session.add(state)
        session.flush()
    return state


def rollup_state(session: Session) -> RollupState | None:
    """The watermark row, or ``None`` before the first refresh."""
    return session.get(RollupState, 1)


def _distinct(session: Session, stmt: Any) -> list[str]:
    return sorted({r for (r,) in session.connection().execute(stmt) if r is not None})


def _refold(session: Session, ids: Sequence[str], cutoff: dt.datetime, batch: int) -> int:
    written = 0
    for chunk in _chunks(ids, batch):
        result = fold_contacts(
            rows_of_contacts(session, contact_ids=chunk), settings=ROLLUP_SETTINGS
        )
        values = [
            fact_values(f, result.extras[f.contact_id])
            for f in result.facts
            if f.received_at < cutoff
        ]
        session.connection().execute(delete(FACTS).where(FACTS.c.contact_id.in_(list(chunk))))
        if values:
            session.connection().execute(insert(FACTS), values)
            written += len(values)
    return written


def _presence_days(session: Session, days: Iterable[dt.date]) -> int:
    n = 0
    for day in sorted(set(days)):
        start, end = jst_midnight(day), jst_midnight(day + DAY)
        fold = PresenceFold()
        for row in agent_rows(session, start=start - PRESENCE_LOOKBACK, end=end):
            fold.add(row)
        peaks = fold.hourly_peaks(start=start, end=end)
        conn = session.connection()
        conn.execute(
            delete(HOURS).where(HOURS.c.hour_start >= start).where(HOURS.c.hour_start < end)
        )
        conn.execute(
            insert(HOURS),
            [{"hour_start": h.astimezone(dt.UTC), "peak": p} for h, p in peaks.items()],
        )
        n += 1
    return n


def refresh_rollups(
    session: Session,
    *,
    until: dt.datetime | None = None,
    now: dt.datetime | None = None,
    batch: int = 2000,
) -> RefreshResult:
    """Roll up every day closed before ``until`` (default now) from events not yet folded."""
    moment = now or utcnow()
    limit = until or moment
    if limit > moment:
        raise RollupInFuture(until=limit, now=moment)
    cutoff = jst_midnight(limit.astimezone(JST).date())
    state = _state(session)
    previous = state.closed_until
    if previous is not None and cutoff < previous:
        cutoff = previous
    c = EVENTS.c
    conn = session.connection()
    max_seq = int(conn.execute(select(func.max(c.seq))).scalar() or 0)
    fresh = (c.seq > state.last_seq) & (c.seq <= max_seq)
    touched = _distinct(session, select(c.contact_id).where(fresh).distinct())
    received = select(c.contact_id).where(c.type == "contact.received", c.occurred_at < cutoff)
    if previous is not None:
        received = received.where(c.occurred_at >= previous)
    newly_closed = _distinct(session, received.distinct())
    ids = sorted(set(touched) | set(newly_closed))
    refolded = _refold(session, ids, cutoff, batch)
    days: set[dt.date] = set()
    agent_times = select(c.occurred_at).where(fresh, c.contact_id.is_(None))
    for at in conn.execute(agent_times).scalars():
        day = _as_utc(at).astimezone(JST).date()
        days.update((day, day + DAY))
    first_open = previous
    if first_open is None:
        earliest = conn.execute(select(func.min(c.occurred_at))).scalar()
        if earliest is not None:
            first_open = jst_midnight(_as_utc(earliest).astimezone(JST).date())
    if first_open is not None:
        day = first_open.astimezone(JST).date()
        while jst_midnight(day) < cutoff:
            days.add(day)
            day += DAY
    closed_days = [d for d in days if jst_midnight(d + DAY) <= cutoff]
    presence = _presence_days(session, closed_days)
    state.last_seq = max(max_seq, state.last_seq)
    state.closed_until = cutoff
    state.refreshed_at = moment
    session.add(state)
    session.commit()
    return RefreshResult(state.last_seq, cutoff, refolded, presence)


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
