"""The invariants every fault must leave intact (N-REL-1), and the fault-table row.

- every call ends as exactly one finished contact: ``contact.ended`` or ``contact.abandoned``
  exactly once per contact id that was received;
- every IMAP message is exactly one item: one ``inbox_message`` per (mailbox, UIDVALIDITY, UID)
  and one ``contact.received`` per queued message;
- no screen pop is pushed twice for the same contact to the same desk;
- every fault raised an alert (a ``monitor_alert`` row of the expected kind).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import col, select

from cms.models import ContactEvent
from inbox.models import InboxMessage
from realtime.db import Database
from realtime.monitoring.models import Alert

ENDS = ("contact.ended", "contact.abandoned")


@dataclass
class FaultRecord:
    """One row of the fault table."""

    test: str
    fault: str = ""
    injected: str = ""
    detected_by: str = ""
    recovery_s: float | None = None
    invariants: list[str] = field(default_factory=list)

    def held(self, name: str) -> None:
        """An invariant was checked and held."""
        self.invariants.append(name)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def call_ends(db: Database) -> dict[str, list[str]]:
    """Per call contact: the end events logged (for each received call)."""
    with db.session() as session:
        rows = list(
            session.exec(
                select(ContactEvent)
                .where(col(ContactEvent.channel) == "call")
                .order_by(col(ContactEvent.seq))
            )
        )
    ends: dict[str, list[str]] = {}
    for row in rows:
        if row.contact_id is None:
            continue
        if row.type == "contact.received":
            ends.setdefault(row.contact_id, [])
        elif row.type in ENDS:
            ends.setdefault(row.contact_id, []).append(row.type)
    return ends


def assert_one_end_per_call(db: Database, *, at_least: int = 1) -> int:
    """Every received call has exactly one end event; returns how many calls were checked."""
    ends = call_ends(db)
    wrong = {cid: e for cid, e in ends.items() if len(e) != 1}
    assert not wrong, f"calls without exactly one end: {wrong}"
    assert len(ends) >= at_least, f"expected at least {at_least} calls, found {len(ends)}"
    return len(ends)


def assert_one_item_per_message(db: Database, *, expected: int) -> None:
    """Each IMAP message is stored once, and each queued one has exactly one received event."""
    with db.session() as session:
        rows = list(session.exec(select(InboxMessage)))
        events = list(
            session.exec(select(ContactEvent).where(col(ContactEvent.type) == "contact.received"))
        )
    keys = Counter((r.mailbox, r.uidvalidity, r.uid) for r in rows)
    assert len(rows) == expected, f"{len(rows)} messages stored, expected {expected}"
    assert all(n == 1 for n in keys.values()), f"doubled: {keys}"
    queued = {str(r.event_id) for r in rows if r.state == "queued"}
    mail_events = [e.event_id for e in events if e.channel == "email"]
    assert sorted(mail_events) == sorted(queued)


def assert_no_duplicate_pops(pops: list[tuple[str, str]]) -> None:
    """``pops`` are (desk, contact id) pairs as received; none may repeat."""
    doubled = [k for k, n in Counter(pops).items() if n > 1]
    assert not doubled, f"screen pop pushed twice: {doubled}"


def alerts(db: Database, kind: str) -> list[Alert]:
    """Stored alerts of ``kind``, oldest first."""
    with db.session() as session:
        return list(
            session.exec(select(Alert).where(col(Alert.kind) == kind).order_by(col(Alert.id)))
        )


def alert_detail(alert: Alert) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(alert.detail)
    return data
