"""Adherence of a day from the stored schedule and the contact event log."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from cms.models import ContactEvent
from realtime.timeutil import JST
from wfm.adherence.compute import (
    AdherenceReport,
    ScheduledShift,
    StateEvent,
    Thresholds,
    adherence_report,
)
from wfm.shifts.service import assignments_on

AGENT_EVENTS = ("agent.state_changed", "agent.signed_in", "agent.signed_out")


def state_events(session: Session, *, start: datetime, end: datetime) -> list[StateEvent]:
    """Agent sign-in, sign-out and state events between ``start`` and ``end``."""
    rows = session.exec(
        select(ContactEvent)
        .where(
            col(ContactEvent.type).in_(AGENT_EVENTS),
            col(ContactEvent.occurred_at) >= start,
            col(ContactEvent.occurred_at) < end,
        )
        .order_by(col(ContactEvent.occurred_at), col(ContactEvent.seq))
    ).all()
    out: list[StateEvent] = []
    for row in rows:
        if row.agent is None:
            continue
        if row.type == "agent.signed_in":
            out.append(StateEvent(row.agent, row.occurred_at, "signed_in"))
        elif row.type == "agent.signed_out":
            out.append(StateEvent(row.agent, row.occurred_at, "signed_out"))
        else:
            payload = json.loads(row.payload or "{}")
            out.append(
                StateEvent(
                    row.agent, row.occurred_at, str(payload.get("state")), payload.get("reason")
                )
            )
    return out


def day_adherence(
    session: Session, *, day: date, now: datetime, thresholds: Thresholds = Thresholds()
) -> AdherenceReport:
    """Adherence so far of everyone scheduled on ``day`` (Japan time)."""
    start = datetime.combine(day, time(), JST)
    shifts = [
        ScheduledShift(a.agent_id, a.start_at, a.end_at, a.break_start_at, a.break_end_at)
        for a in assignments_on(session, day=day)
    ]
    events = state_events(session, start=start, end=start + timedelta(days=1))
    return adherence_report(shifts=shifts, events=events, now=now, thresholds=thresholds)
