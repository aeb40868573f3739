"""Calls an earlier server process left open in the contact log (N-REL-1).

The ACD engine lives in one process's memory. When that process dies (SIGKILL, a power cut),
the contacts it was handling have ``contact.received`` but no end in the log, and FreeSWITCH
hangs up every caller whose outbound socket closed (callers in the IVR or a queue). The next
process cannot take those calls back, so it ends them in the log, once, as seen from here:
``contact.abandoned`` at the stage they had reached (ivr, queue, offered) with the time waited
until the process was gone, or ``contact.ended`` by ``system`` for answered ones. Event ids are
UUIDv5 of the contact, so two processes doing this at once store each end once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from cms import service as cms
from cms.events import Channel, EventType
from cms.models import ContactEvent
from cms.service import NewEvent

LOOK_BACK = timedelta(hours=24)
NAMESPACE = uuid.UUID("4b0e6f1e-52f6-4c38-9d0e-4f2b7f6c0a11")
ENDS = (EventType.CONTACT_ENDED.value, EventType.CONTACT_ABANDONED.value)
TRACKED = (
    EventType.CONTACT_RECEIVED.value,
    EventType.QUEUE_JOINED.value,
    EventType.AGENT_OFFERED.value,
    EventType.CONTACT_ANSWERED.value,
    *ENDS,
)


@dataclass
class _Open:
    first: ContactEvent
    last: ContactEvent
    stage: str = "ivr"
    joined_at: datetime | None = None


def close_orphans(session: Session, *, before: datetime) -> int:
    """End every call contact received before ``before`` (the start of this process) that has
    no end in the log; returns how many were ended."""
    stmt = (
        select(ContactEvent)
        .where(col(ContactEvent.channel) == Channel.CALL.value)
        .where(col(ContactEvent.type).in_(TRACKED))
        .where(col(ContactEvent.occurred_at) >= before - LOOK_BACK)
        .where(col(ContactEvent.occurred_at) < before)
        .order_by(col(ContactEvent.seq))
    )
    open_: dict[str, _Open] = {}
    for row in session.exec(stmt):
        cid = row.contact_id
        if cid is None:
            continue
        if row.type == EventType.CONTACT_RECEIVED.value:
            if row.source == "callpath":
                open_[cid] = _Open(first=row, last=row)
            continue
        current = open_.get(cid)
        if current is None:
            continue
        if row.type in ENDS:
            del open_[cid]
            continue
        current.last = row
        if row.type == EventType.QUEUE_JOINED.value and current.joined_at is None:
            current.joined_at = row.occurred_at
            current.stage = "queue"
        elif row.type == EventType.AGENT_OFFERED.value:
            current.stage = "offered"
        elif row.type == EventType.CONTACT_ANSWERED.value:
            current.stage = "answered"
    if not open_:
        return 0
    ended = [_end(cid, item) for cid, item in open_.items()]
    known = set(
        session.exec(
            select(ContactEvent.event_id).where(
                col(ContactEvent.event_id).in_([e.event_id for e in ended])
            )
        )
    )
    fresh = [e for e in ended if e.event_id not in known]
    cms.append_many(session, events=fresh)
    return len(fresh)


def _end(contact_id: str, item: _Open) -> NewEvent:
    gone_at = item.last.occurred_at
    event_id = str(uuid.uuid5(NAMESPACE, f"orphan:{contact_id}"))
    common = {
        "occurred_at": gone_at,
        "contact_id": contact_id,
        "channel": Channel.CALL,
        "line": item.first.line,
        "queue": item.last.queue,
        "agent": item.last.agent if item.stage in ("offered", "answered") else None,
        "source": "callpath",
        "event_id": event_id,
    }
    if item.stage == "answered":
        return NewEvent(type=EventType.CONTACT_ENDED, payload={"by": "system"}, **common)  # type: ignore[arg-type]
    since = item.joined_at if item.stage != "ivr" and item.joined_at else item.first.occurred_at
    waited = max(0.0, (gone_at - since).total_seconds())
    return NewEvent(
        type=EventType.CONTACT_ABANDONED,
        payload={"stage": item.stage, "waited_s": round(waited, 3)},
        **common,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class OrphanCall:
    """What the log says of a call whose recording outlived the process that handled it."""

    line: str | None
    queue: str | None
    agent: str | None


def orphan_call(session: Session, *, contact_id: str) -> OrphanCall | None:
    """The line, queue and agent of a call contact from its logged events (None: no such call)."""
    rows = list(
        session.exec(
            select(ContactEvent)
            .where(col(ContactEvent.contact_id) == contact_id)
            .where(col(ContactEvent.channel) == Channel.CALL.value)
            .order_by(col(ContactEvent.seq))
        )
    )
    if not any(r.type == EventType.CONTACT_RECEIVED.value for r in rows):
        return None
    line = next((r.line for r in rows if r.line), None)
    queue = next((r.queue for r in reversed(rows) if r.queue), None)
    agent = next(
        (r.agent for r in reversed(rows) if r.type == EventType.CONTACT_ANSWERED.value), None
    )
    return OrphanCall(line=line, queue=queue, agent=agent)
