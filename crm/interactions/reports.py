"""What the city can see at any time (R-ITEMS): hand-offs with their destinations, call-backs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from crm.departments import service as departments
from crm.interactions import service as history
from crm.interactions.models import HANDED_OVER, Interaction, Outcome
from crm.workqueue import service as workqueue


@dataclass(frozen=True)
class HandoffRow:
    """One contact handed to a department (no personal data: ids, codes and categories)."""

    interaction_id: str
    at: datetime
    channel: str
    line: str | None
    work_type: str
    category1: str
    category2: str
    outcome: str
    dept_id: str
    dept_name: str


@dataclass(frozen=True)
class HandoffReport:
    """Hand-offs in a period, one page, and the count per destination over the whole period."""

    items: list[HandoffRow]
    total: int
    by_dept: list[tuple[str, str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "items": [{**vars(r), "at": r.at.isoformat()} for r in self.items],
            "by_dept": [{"dept_id": d, "dept_name": n, "count": c} for d, n, c in self.by_dept],
        }


@dataclass(frozen=True)
class CallbackRow:
    """One call-back: when asked, due, made, and how it ended (never the number)."""

    item_id: str
    requested_at: datetime
    due_at: datetime
    state: str
    result: str | None
    completed_at: datetime | None
    work_type: str | None
    category1: str | None


@dataclass(frozen=True)
class CallbackReport:
    """Call-backs requested in a period and a count per result."""

    items: list[CallbackRow]
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "counts": self.counts,
            "items": [
                {
                    **vars(r),
                    "requested_at": iso(r.requested_at),
                    "due_at": iso(r.due_at),
                    "completed_at": iso(r.completed_at),
                }
                for r in self.items
            ],
        }


def handoffs(
    session: Session,
    *,
    start: datetime | None,
    end: datetime | None,
    dept_id: str | None = None,
    outcome: Outcome | None = None,
    page: int = 1,
    per_page: int = 100,
) -> HandoffReport:
    """Contacts handed to a department or put through by the switchboard, newest first."""
    when = func.coalesce(col(Interaction.started_at), col(Interaction.saved_at))
    outcomes = [outcome.value] if outcome in HANDED_OVER else [o.value for o in HANDED_OVER]
    if outcome is not None and outcome not in HANDED_OVER:
        outcomes = []
    conditions: list[Any] = [col(Interaction.outcome).in_(outcomes)]
    if start is not None:
        conditions.append(when >= start)
    if end is not None:
        conditions.append(when < end)
    if dept_id:
        conditions.append(col(Interaction.handoff_dept) == dept_id)
    names = {d.dept_id: d.display_name for d in departments.list_all(session)}
    counted = session.exec(
        select(Interaction.handoff_dept, func.count())
        .where(*conditions)
        .group_by(col(Interaction.handoff_dept))
    )
    by_dept = sorted(
        ((d or "", names.get(d or "", ""), int(n)) for d, n in counted),
        key=lambda t: (-t[2], t[0]),
    )
    total = sum(n for _, _, n in by_dept)
    page = max(1, page)
    per_page = max(1, min(per_page, 500))
    stmt = (
        select(Interaction, when)
        .where(*conditions)
        .order_by(when.desc(), col(Interaction.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    items = [
        HandoffRow(
            interaction_id=row.id,
            at=row.started_at or row.saved_at,
            channel=row.channel,
            line=row.line,
            work_type=row.work_type,
            category1=row.category1,
            category2=row.category2,
            outcome=row.outcome,
            dept_id=row.handoff_dept or "",
            dept_name=names.get(row.handoff_dept or "", ""),
        )
        for row, _when in session.exec(stmt)
    ]
    return HandoffReport(items=items, total=total, by_dept=by_dept)


def callbacks(session: Session, *, start: datetime | None, end: datetime | None) -> CallbackReport:
    """Call-backs requested in the period, with the history of the contact that asked."""
    items = workqueue.callbacks(session, start=start, end=end)
    histories = history.by_contacts(session, contact_ids=[i.contact_id for i in items])
    rows = []
    counts: Counter[str] = Counter()
    for item in items:
        seen = histories.get(item.contact_id)
        rows.append(
            CallbackRow(
                item_id=item.id,
                requested_at=item.received_at,
                due_at=item.due_at,
                state=item.state,
                result=item.result,
                completed_at=item.completed_at,
                work_type=seen.work_type if seen else None,
                category1=seen.category1 if seen else None,
            )
        )
        counts[item.result or "open"] += 1
    return CallbackReport(items=rows, counts=dict(counts))


@dataclass(frozen=True)
class SummaryRow:
    """Contacts of one work type or one section (係): received, answered in the center,
    handed over, and the first-contact rate (answered ÷ received)."""

    key: str
    received: int
    answered: int
    handed_over: int
    callbacks: int

    @property
    def first_contact_rate(self) -> float | None:
        return round(self.answered / self.received, 4) if self.received else None

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "first_contact_rate": self.first_contact_rate}


@dataclass(frozen=True)
class Summary:
    """Counts per work type and per section (係) for a period (R-ITEMS, F-2.1.6)."""

    by_work_type: list[SummaryRow]
    by_section: list[SummaryRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "by_work_type": [r.to_json() for r in self.by_work_type],
            "by_section": [r.to_json() for r in self.by_section],
        }


def summary(session: Session, *, start: datetime | None, end: datetime | None) -> Summary:
    """Received, answered in the center, handed over and call-backs per work type and section;
    a contact counts for its section, or for the department it was handed to when none."""
    when = func.coalesce(col(Interaction.started_at), col(Interaction.saved_at))
    conditions: list[Any] = []
    if start is not None:
        conditions.append(when >= start)
    if end is not None:
        conditions.append(when < end)
    stmt = sa_select(
        col(Interaction.work_type),
        col(Interaction.section),
        col(Interaction.handoff_dept),
        col(Interaction.outcome),
        func.count(),
    ).where(*conditions)
    stmt = stmt.group_by(
        col(Interaction.work_type),
        col(Interaction.section),
        col(Interaction.handoff_dept),
        col(Interaction.outcome),
    )
    work: dict[str, Counter[str]] = {}
    section: dict[str, Counter[str]] = {}
    for work_type, sec, dept, outcome, count in session.execute(stmt):
        for table, key in ((work, work_type), (section, sec or dept or "")):
            tally = table.setdefault(key, Counter())
            tally["received"] += count
            tally[outcome] += count
    return Summary(
        by_work_type=[_summary_row(k, v) for k, v in sorted(work.items())],
        by_section=[_summary_row(k, v) for k, v in sorted(section.items())],
    )


def _summary_row(key: str, tally: Counter[str]) -> SummaryRow:
    return SummaryRow(
        key=key,
        received=tally["received"],
        answered=tally[Outcome.ANSWERED.value],
        handed_over=sum(tally[o.value] for o in HANDED_OVER),
        callbacks=tally[Outcome.CALLBACK.value],
    )
