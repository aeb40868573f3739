"""Fold contact events into KPI facts plus what the reports add: escalations, first and last
event times, and event counts. The KPI fold itself is cms.kpi's, used as is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cms.kpi.contacts import ContactFacts, ContactFold
from cms.kpi.settings import KpiSettings
from cms.kpi.source import EventRow

INTERNAL_TRANSFERS = frozenset({"queue", "agent"})


@dataclass
class Extra:
    """Per-contact facts the KPI records do not keep."""

    escalated: bool = False
    first: datetime | None = None
    last: datetime | None = None
    events: int = 0


@dataclass
class FoldResult:
    """The facts of every contact seen and their extras."""

    facts: list[ContactFacts]
    extras: dict[str, Extra] = field(default_factory=dict)


def fold_contacts(rows: Iterable[EventRow], *, settings: KpiSettings) -> FoldResult:
    """Fold contact events (any order, repeats allowed); agent-only events are skipped."""
    fold = ContactFold()
    extras: dict[str, Extra] = {}
    for row in rows:
        cid = row.contact_id
        if cid is None:
            continue
        fold.add(row)
        x = extras.get(cid)
        if x is None:
            x = extras[cid] = Extra()
        x.events += 1
        if x.first is None or row.occurred_at < x.first:
            x.first = row.occurred_at
        if x.last is None or row.occurred_at > x.last:
            x.last = row.occurred_at
        if (
            row.type == "contact.transferred"
            and row.payload.get("kind") in INTERNAL_TRANSFERS
            and row.payload.get("outcome", "completed") == "completed"
        ):
            x.escalated = True
    return FoldResult(fold.facts(settings=settings), extras)
