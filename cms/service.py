"""Append to and read the contact event log.

``append`` commits before it returns: an event the caller was told about is on disk (SQLite runs
with synchronous=FULL). Appending the same ``event_id`` twice stores it once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cms.events import PAYLOADS, Channel, EventType
from cms.exceptions import InvalidEvent
from cms.models import ContactEvent
from realtime.timeutil import utcnow


@dataclass(frozen=True)
class NewEvent:
    """An event to append. ``payload`` is checked against the type's payload model."""

    type: EventType
    occurred_at: datetime
    contact_id: str | None = None
    channel: Channel | None = None
    line: str | None = None
    queue: str | None = None
    agent: str | None = None
    source: str = "app"
    payload: Mapping[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def _validated(event: NewEvent) -> ContactEvent:
    if event.occurred_at.tzinfo is None:
        raise InvalidEvent(reason="occurred_at must be timezone-aware", type=str(event.type))
    try:
        event_type = EventType(event.type)
        payload = PAYLOADS[event_type].model_validate(dict(event.payload))
    except (ValueError, ValidationError) as exc:
        raise InvalidEvent(reason=str(exc), type=str(event.type)) from exc
    return ContactEvent(
        event_id=event.event_id,
        type=event_type.value,
        contact_id=event.contact_id,
        channel=event.channel.value if event.channel else None,
        occurred_at=event.occurred_at,
        recorded_at=utcnow(),
        line=event.line,
        queue=event.queue,
        agent=event.agent,
        source=event.source,
        payload=json.dumps(payload.model_dump(mode="json"), ensure_ascii=False, sort_keys=True),
    )


def append(session: Session, *, event: NewEvent) -> ContactEvent:
    """Validate, store and commit one event; a repeated ``event_id`` returns the stored row."""
    row = _validated(event)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.exec(
            select(ContactEvent).where(col(ContactEvent.event_id) == event.event_id)
        ).one_or_none()
        if existing is None:
            raise
        return existing
    return row


def append_many(session: Session, *, events: list[NewEvent]) -> int:
    """Store a batch in one transaction, skipping event ids already stored; returns how many."""
    rows = [_validated(e) for e in events]
    ids = [r.event_id for r in rows]
    known = set(
        session.exec(select(ContactEvent.event_id).where(col(ContactEvent.event_id).in_(ids)))
    )
    fresh: dict[str, ContactEvent] = {}
    for row in rows:
        if row.event_id not in known:
            fresh.setdefault(row.event_id, row)
    session.add_all(fresh.values())
    session.commit()
    return len(fresh)


def read(
    session: Session,
    *,
    after_seq: int = 0,
    start: datetime | None = None,
    end: datetime | None = None,
    types: list[EventType] | None = None,
    contact_id: str | None = None,
    batch: int = 5000,
) -> Iterator[ContactEvent]:
    """Events in log order, filtered; streamed in batches (bounded memory)."""
    last = after_seq
    while True:
        stmt = select(ContactEvent).where(col(ContactEvent.seq) > last)
        if start is not None:
            stmt = stmt.where(col(ContactEvent.occurred_at) >= start)
        if end is not None:
            stmt = stmt.where(col(ContactEvent.occurred_at) < end)
        if types:
            stmt = stmt.where(col(ContactEvent.type).in_([t.value for t in types]))
        if contact_id is not None:
            stmt = stmt.where(col(ContactEvent.contact_id) == contact_id)
        rows = list(session.exec(stmt.order_by(col(ContactEvent.seq)).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq or last


def payload_of(row: ContactEvent) -> dict[str, Any]:
    """The stored payload as a dict."""
    data: dict[str, Any] = json.loads(row.payload)
    return data
