"""Keep today's contacts folded as events arrive: each refresh reads only the new events.

The fold starts ``item_window`` before today (so unreplied mail of earlier days is seen) and is
rebuilt when the Japan-time day changes. Each refresh reads events after the last sequence number
seen, minus a small overlap: on PostgreSQL a transaction may commit a lower ``seq`` after a higher
one was read, and the fold takes repeats without counting them twice. Only the contacts touched
by new events are re-finished, so a refresh costs in proportion to the new events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

from sqlalchemy import String, Table, select, type_coerce
from sqlmodel import Session

from cms.kpi.contacts import ContactFacts, ContactFold
from cms.kpi.contacts import _finish as finish_contact
from cms.kpi.settings import KpiSettings
from cms.kpi.source import PAYLOAD_READ, EventRow
from cms.live.figures import LiveFigures, day_start, live_figures
from cms.models import ContactEvent
from realtime.timeutil import JST, as_utc

OVERLAP = 500
"""Sequence numbers re-read each refresh (late commits on PostgreSQL); repeats fold once."""


class _TrackingFold(ContactFold):
    """A ContactFold that remembers which contacts changed since they were last finished."""

    def __init__(self) -> None:
        super().__init__()
        self.dirty: set[str] = set()

    def add(self, row: EventRow) -> None:
        super().add(row)
        if row.contact_id is not None:
            self.dirty.add(row.contact_id)

    def finish_dirty(self, cache: dict[str, ContactFacts], settings: KpiSettings) -> None:
        for contact_id in self.dirty:
            cache[contact_id] = finish_contact(contact_id, self._builders[contact_id], settings)
        self.dirty.clear()


@dataclasses.dataclass
class RefreshStats:
    """What the last refresh did (for the benchmark and the logs)."""

    events_read: int = 0
    contacts_refinished: int = 0
    rebuilt: bool = False


class LiveTracker:
    """Incremental live figures over the contact event log."""

    def __init__(
        self,
        *,
        settings: KpiSettings,
        near: dt.timedelta,
        item_window: dt.timedelta,
        overlap: int = OVERLAP,
    ) -> None:
        self.settings = settings
        self.near = near
        self.item_window = item_window
        self.overlap = overlap
        self.stats = RefreshStats()
        self._day: dt.date | None = None
        self._fold = _TrackingFold()
        self._facts: dict[str, ContactFacts] = {}
        self._last_seq = 0

    def refresh(self, session: Session, *, now: dt.datetime) -> LiveFigures:
        """Fold the events appended since the last refresh and measure today and this half hour."""
        day = now.astimezone(JST).date()
        rebuilt = day != self._day
        if rebuilt:
            self._day = day
            self._fold = _TrackingFold()
            self._facts = {}
            self._last_seq = 0
        read = 0
        since = day_start(day) - self.item_window
        for row in _rows_after(session, after=max(0, self._last_seq - self.overlap), since=since):
            self._fold.add(row)
            self._last_seq = max(self._last_seq, row.seq)
            read += 1
        touched = len(self._fold.dirty)
        self._fold.finish_dirty(self._facts, self.settings)
        self.stats = RefreshStats(events_read=read, contacts_refinished=touched, rebuilt=rebuilt)
        return live_figures(self._facts.values(), now=now, settings=self.settings, near=self.near)


def _rows_after(
    session: Session, *, after: int, since: dt.datetime, batch: int = 20000
) -> Iterator[EventRow]:
    """Events with ``seq > after`` that occurred at or after ``since``, in log order."""
    table: Table = ContactEvent.__table__  # type: ignore[attr-defined]
    c = table.c
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    occurred = type_coerce(c.occurred_at, String()) if sqlite else c.occurred_at
    last = after
    while True:
        stmt = (
            select(c.seq, c.type, c.contact_id, c.channel, occurred, c.line, c.queue, c.agent)
            .add_columns(c.payload)
            .where(c.seq > last)
            .where(c.occurred_at >= since)
            .order_by(c.seq)
            .limit(batch)
        )
        rows = connection.execute(stmt).all()
        if not rows:
            return
        for seq, kind, contact, channel, at, line, queue, agent, payload in rows:
            moment = as_utc(dt.datetime.fromisoformat(at)) if sqlite else as_utc(at)
            data = json.loads(payload) if kind in PAYLOAD_READ and payload != "{}" else {}
            yield EventRow(seq or 0, kind, contact, channel, moment, line, queue, agent, data)
        last = rows[-1][0] or last
