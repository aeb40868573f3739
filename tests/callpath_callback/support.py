"""Helpers shared by the call-back, survey and fax scenarios (on top of tests/callpath/harness)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from cms.models import ContactEvent
from crm.workqueue.models import WorkItem
from realtime.audit.models import AuditEntry
from switch.callpath.models import CallpathLine, CallpathQueue
from tests.callpath.harness import CALLER, MAIN, Rig, until

QUEUE = "q_juminhyo"  # menu digit 1 on the main line, skill group juminhyo (op1)


async def configure(
    rig: Rig,
    *,
    callback_after_s: float | None = None,
    survey_percent: int | None = None,
    announce_every_s: float | None = None,
    overflow: bool = True,
) -> None:
    """Change the demo configuration in place and let the running call path read it."""
    with rig.ctx.db.session() as session:
        queue = session.get(CallpathQueue, QUEUE)
        assert queue is not None
        queue.callback_after_s = callback_after_s
        if announce_every_s is not None:
            queue.announce_every_s = announce_every_s
        if not overflow:
            queue.overflow_after_s, queue.overflow_to = None, None
        session.add(queue)
        if survey_percent is not None:
            line = session.get(CallpathLine, MAIN)
            assert line is not None
            line.survey_percent = survey_percent
            session.add(line)
        session.commit()
    await rig.path.load()


def work_items(rig: Rig, contact_id: str | None = None) -> list[WorkItem]:
    with rig.ctx.db.session() as session:
        stmt = select(WorkItem)
        if contact_id is not None:
            stmt = stmt.where(col(WorkItem.contact_id) == contact_id)
        return list(session.exec(stmt))


async def callback_item(rig: Rig, contact_id: str) -> WorkItem:
    def find() -> WorkItem | None:
        items = work_items(rig, contact_id)
        return items[0] if items else None

    found: WorkItem = await until(find, what="the call-back work item")
    return found


def payload(event: ContactEvent) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(event.payload)
    return data


def number_leaks(rig: Rig) -> list[str]:
    """Every place in the contact log and the audit trail that holds the caller's digits."""
    tails = {CALLER, CALLER[1:], "+81" + CALLER[1:]}
    found: list[str] = []
    with rig.ctx.db.session() as session:
        for event in session.exec(select(ContactEvent)):
            text = " ".join(
                str(v) for v in (event.payload, event.line, event.queue, event.agent, event.source)
            )
            found += [f"event {event.type}" for t in tails if t in text]
        for entry in session.exec(select(AuditEntry)):
            text = f"{entry.actor} {entry.action} {entry.target} {entry.detail}"
            found += [f"audit {entry.action}" for t in tails if t in text]
    return found
