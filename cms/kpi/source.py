"""Read the event log as light tuples: the same rows as ``cms.service.read``, without ORM objects.

The KPI fold reads millions of rows; building an ORM object per row would dominate the time, so
this reader selects the columns it needs in batches of ``seq`` (bounded memory, log order).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, select
from sqlmodel import Session

from cms.models import ContactEvent
from realtime.timeutil import as_utc

_NO_PAYLOAD = "{}"


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


def read_rows(
    session: Session, *, start: datetime, end: datetime, batch: int = 20000
) -> Iterator[EventRow]:
    """Events with ``start <= occurred_at < end``, in log order, streamed in batches."""
    last = 0
    table: Table = ContactEvent.__table__  # type: ignore[attr-defined]
    c = table.c
    columns = (c.seq, c.type, c.contact_id, c.channel, c.occurred_at, c.line, c.queue, c.agent)
    connection = session.connection()
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
            yield EventRow(
                seq or 0, kind, contact, channel, as_utc(at), line, queue, agent, _payload(payload)
            )
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
