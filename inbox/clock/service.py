"""The 24-hour clock (S-M1, S-M2): every mail, fax and call-back is due 24 hours after it arrived.

``clock_status`` counts the open items, those due within the alert window (near due) and those
past due (overdue; the target is 0) from the shared work queue. ``reply_kpi`` reads the contact
events: how many mails and faxes were answered or forwarded, and the share within 24 hours.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from cms.models import ContactEvent
from crm.workqueue.models import OPEN_STATES, ItemKind, WorkItem

CLOCK_KINDS: tuple[ItemKind, ...] = (ItemKind.EMAIL, ItemKind.FAX, ItemKind.CALLBACK)


@dataclass(frozen=True)
class KindCounts:
    """Counts of one kind of item."""

    open: int = 0
    near_due: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class ClockStatus:
    """The wallboard's view of the 24-hour target."""

    at: datetime
    near_due_minutes: int
    open: int
    near_due: int
    overdue: int
    oldest_due_at: datetime | None
    by_kind: dict[str, KindCounts] = field(default_factory=dict)
    near_due_items: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data["oldest_due_at"] = self.oldest_due_at.isoformat() if self.oldest_due_at else None
        return data


def clock_status(
    session: Session, *, now: datetime, near_due: timedelta, list_limit: int = 20
) -> ClockStatus:
    """Open, near-due and overdue items of the kinds with a 24-hour target."""
    stmt = (
        select(WorkItem)
        .where(
            col(WorkItem.state).in_([s.value for s in OPEN_STATES]),
            col(WorkItem.kind).in_([k.value for k in CLOCK_KINDS]),
        )
        .order_by(col(WorkItem.due_at))
    )
    counts: dict[str, list[int]] = {k.value: [0, 0, 0] for k in CLOCK_KINDS}
    alerts: list[dict[str, Any]] = []
    oldest: datetime | None = None
    for item in session.exec(stmt):
        kind, due_at = item.kind, item.due_at
        slot = counts[kind]
        slot[0] += 1
        oldest = due_at if oldest is None else min(oldest, due_at)
        if due_at < now:
            slot[2] += 1
        elif due_at - now <= near_due:
            slot[1] += 1
        if due_at - now <= near_due and len(alerts) < list_limit:
            alerts.append(
                {
                    "id": item.id,
                    "kind": kind,
                    "due_at": due_at.isoformat(),
                    "overdue": due_at < now,
                    "minutes_left": int((due_at - now).total_seconds() // 60),
                    "skill": item.skill,
                    "owner": item.owner,
                }
            )
    by_kind = {k: KindCounts(*v) for k, v in counts.items()}
    return ClockStatus(
        at=now,
        near_due_minutes=int(near_due.total_seconds() // 60),
        open=sum(c.open for c in by_kind.values()),
        near_due=sum(c.near_due for c in by_kind.values()),
        overdue=sum(c.overdue for c in by_kind.values()),
        oldest_due_at=oldest,
        by_kind=by_kind,
        near_due_items=alerts,
    )


@dataclass(frozen=True)
class ReplyKpi:
    """Mails and faxes closed in a period, from the contact events."""

    replied: int
    replied_within_24h: int
    forwarded: int
    within_24h_rate: float | None


def reply_kpi(session: Session, *, start: datetime, end: datetime) -> ReplyKpi:
    """item.replied / item.forwarded events in [start, end): counts and the 24-hour rate."""
    stmt = select(ContactEvent.type, ContactEvent.payload).where(
        col(ContactEvent.type).in_(["item.replied", "item.forwarded"]),
        col(ContactEvent.occurred_at) >= start,
        col(ContactEvent.occurred_at) < end,
    )
    replied = within = forwarded = 0
    for event_type, payload in session.exec(stmt):
        if event_type == "item.forwarded":
            forwarded += 1
            continue
        replied += 1
        if json.loads(payload or "{}").get("within_24h"):
            within += 1
    rate = round(within / replied, 4) if replied else None
    return ReplyKpi(replied, within, forwarded, rate)
