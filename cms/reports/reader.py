"""Read contact events as cms.kpi EventRow tuples, by contact id or agent-only, streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from cms.kpi.source import PAYLOAD_READ, EventRow
from cms.models import ContactEvent
from realtime.timeutil import as_utc

EVENTS: Table = ContactEvent.__table__  # type: ignore[attr-defined]


def _payload(kind: str, text: str) -> dict[str, Any]:
    if text == "{}" or (kind not in PAYLOAD_READ and kind != "agent.state_changed"):
        return {}

    data: dict[str, Any] = json.loads(text)
    return data


def _rows(session: Session, where: Sequence[ColumnElement[bool]]) -> Iterator[EventRow]:
    c = EVENTS.c
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    occurred = type_coerce(c.occurred_at, String()) if sqlite else c.occurred_at
    stmt = select(
        c.seq, c.type, c.contact_id, c.channel, occurred, c.line, c.queue, c.agent, c.payload
    ).where(*where)
    for seq, kind, contact, channel, at, line, queue, agent, payload in connection.execute(stmt):
        moment = as_utc(datetime.fromisoformat(at)) if sqlite else as_utc(at)
        yield EventRow(
            seq or 0, kind, contact, channel, moment, line, queue, agent, _payload(kind, payload)
        )


def rows_of_contacts(
    session: Session,
    *,
    contact_ids: Sequence[str],
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[EventRow]:
    """Every event of these contacts (optionally only ``start <= occurred_at < end``)."""
    c = EVENTS.c
    where: list[ColumnElement[bool]] = [c.contact_id.in_(list(contact_ids))]
    if start is not None:
        where.append(c.occurred_at >= start)
    if end is not None:
        where.append(c.occurred_at < end)
    return list(_rows(session, where))


def agent_rows(session: Session, *, start: datetime, end: datetime) -> list[EventRow]:
    """Presence events (no contact) with ``start <= occurred_at < end``."""
    c = EVENTS.c
    return list(
        _rows(
            session,
            [
                c.contact_id.is_(None),
                c.occurred_at >= start,
                c.occurred_at < end,
                c.type.in_(("agent.signed_in", "agent.signed_out", "agent.state_changed")),
            ],
        )
    )
