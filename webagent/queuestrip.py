"""The desk's queue strip: callers waiting now, the longest wait and today's service level,
read from the contact event log (the only source of truth for KPIs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session

from cms import service as cms
from cms.events import EventType
from cms.kpi.settings import KpiSettings
from realtime.timeutil import JST, utcnow

_TYPES = [
    EventType.QUEUE_JOINED,
    EventType.CONTACT_ANSWERED,
    EventType.CONTACT_ABANDONED,
    EventType.CONTACT_ENDED,
]
_LEAVES = {
    EventType.CONTACT_ANSWERED.value,
    EventType.CONTACT_ABANDONED.value,
    EventType.CONTACT_ENDED.value,
}


@dataclass(frozen=True)
class QueueStrip:
    """What the strip shows; ``service_level`` is None before the day's first offered call."""

    waiting: int
    longest_wait_s: float
    service_level: float | None
    offered: int
    answered_in_time: int
    threshold_s: float
    at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "waiting": self.waiting,
            "longest_wait_s": round(self.longest_wait_s, 1),
            "service_level": None if self.service_level is None else round(self.service_level, 1),
            "offered": self.offered,
            "answered_in_time": self.answered_in_time,
            "threshold_s": self.threshold_s,
            "at": self.at.isoformat(),
        }


def queue_strip(
    session: Session, *, now: datetime | None = None, settings: KpiSettings | None = None
) -> QueueStrip:
    """Fold today's (Japan time) queue events into the strip's three numbers."""
    now = now or utcnow()
    kpi = settings or KpiSettings()
    start = datetime.combine(now.astimezone(JST).date(), time(), JST)
    joined: dict[str, datetime] = {}
    left: set[str] = set()
    offered = in_time = 0
    for event in cms.read(session, start=start, end=now + timedelta(seconds=1), types=_TYPES):
        cid = event.contact_id
        if cid is None or event.channel not in (None, "call"):
            continue
        if event.type == EventType.QUEUE_JOINED.value:
            joined.setdefault(cid, event.occurred_at)
            continue
        if event.type not in _LEAVES or cid in left or cid not in joined:
            continue
        left.add(cid)
        if event.type == EventType.CONTACT_ANSWERED.value:
            offered += 1
            if event.occurred_at - joined[cid] <= kpi.answer_threshold:
                in_time += 1
        elif event.type == EventType.CONTACT_ABANDONED.value:
            offered += 1
    waits = [(now - at).total_seconds() for cid, at in joined.items() if cid not in left]
    return QueueStrip(
        waiting=len(waits),
        longest_wait_s=max([0.0, *waits]),
        service_level=(100.0 * in_time / offered) if offered else None,
        offered=offered,
        answered_in_time=in_time,
        threshold_s=kpi.answer_threshold.total_seconds(),
        at=now,
    )
