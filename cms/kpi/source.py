"""Read the event log as light tuples: the same rows as ``cms.service.read``, without ORM objects.

The KPI fold reads millions of rows; building an ORM object per row would dominate the time, so
this reader selects the columns it needs in batches of ``seq`` (bounded memory, log order).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, Table, select, type_coerce
from sqlmodel import Session

from cms.models import ContactEvent
from realtime.timeutil import as_utc

_NO_PAYLOAD = "{}"
PAYLOAD_READ: frozenset[str] = frozenset(
    {
        "contact.received",
        "ivr.menu_chosen",
        "ivr.guidance_played",
        "queue.overflowed",
        "contact.answered",
        "contact.retrieved",
        "contact.transferred",
        "contact.abandoned",
        "contact.ended",
        "wrapup.ended",
        "item.forwarded",
        "qa.violation_flagged",
    }
)
_STATE = "agent.state_changed"
_SIGNED_OUT = '"signed_out"'
_SIGNED_IN_STATE: dict[str, Any] = {"state": "signed_in"}
"""Types whose payload the KPIs read; other payloads are not parsed (it is the costly part)."""


class EventRow(NamedTuple):
    """One event as the KPI fold needs it."""

    seq: int
    type: str
    contact_id: str | None
    channel: str | None
    occurred_at: datetime
    line: str | None
    queue: str | None
    agent: str | None
    payload: dict[str, Any]


def _payload(text: str) -> dict[str, Any]:
    if text == _NO_PAYLOAD:
        return {}
    data: dict[str, Any] = json.loads(text)
    return data


def _from_text(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value))


def read_rows(
    session: Session, *, start: datetime, end: datetime, batch: int = 20000
) -> Iterator[EventRow]:
    """Events with ``start <= occurred_at < end``, in log order, streamed in batches."""
    last = 0
    table: Table = ContactEvent.__table__  # type: ignore[attr-defined]
    c = table.c
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    # SQLite keeps timestamps as UTC text: parsing it with fromisoformat is several times faster
    occurred = type_coerce(c.occurred_at, String()) if sqlite else c.occurred_at
    columns = (c.seq, c.type, c.contact_id, c.channel, occurred, c.line, c.queue, c.agent)
    while True:
        stmt = (
            select(*columns, c.payload)
            .where(c.seq > last)
            .where(c.occurred_at >= start)
            .where(c.occurred_at < end)
            .order_by(c.seq)
            .limit(batch)
        )
        rows = connection.execute(stmt).all()
        if not rows:
            return
        for seq, kind, contact, channel, at, line, queue, agent, payload in rows:
            moment = _from_text(at) if sqlite else as_utc(at)
            if kind == _STATE:  # only signed_out matters: parse just the events that may say so
                data = _payload(payload) if _SIGNED_OUT in payload else _SIGNED_IN_STATE
            else:
                data = _payload(payload) if kind in PAYLOAD_READ else {}
            yield EventRow(seq or 0, kind, contact, channel, moment, line, queue, agent, data)
        last = rows[-1][0] or last


def rows_from_models(events: Iterable[ContactEvent]) -> Iterator[EventRow]:
    """Adapt rows from ``cms.service.read`` to :class:`EventRow`."""
    for e in events:
        yield EventRow(
            e.seq or 0,
            e.type,
            e.contact_id,
            e.channel,
            as_utc(e.occurred_at),
            e.line,
            e.queue,
            e.agent,
            _payload(e.payload),
        )
