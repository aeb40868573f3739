"""Build event streams for KPI tests: a tiny journal of calls, items and agent presence."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from cms.events import PAYLOADS, Channel, EventType
from cms.kpi.grouping import Dimension, Period
from cms.kpi.report import KpiReport, compute_report
from cms.kpi.settings import COVID_LINE, FAX_LINE, MAIN_LINE, KpiSettings
from cms.kpi.source import EventRow
from cms.service import NewEvent
from realtime.timeutil import JST

DAY = dt.date(2026, 11, 2)
"""A Monday."""
MAILBOX = "info@city.example.jp"


def jst(day: dt.date, hh: int, mm: int = 0, ss: float = 0.0) -> dt.datetime:
    """A Japan-time moment as UTC."""
    base = dt.datetime.combine(day, dt.time(hh, mm), JST)
    return (base + dt.timedelta(seconds=ss)).astimezone(dt.UTC)


@dataclass
class Journal:
    """Events in the order they were written; ``rows()`` gives what the log would return."""

    events: list[NewEvent] = field(default_factory=list)

    def add(
        self,
        event_type: EventType,
        at: dt.datetime,
        contact: str | None,
        /,
        *,
        channel: Channel | None = Channel.CALL,
        line: str | None = MAIN_LINE,
        agent: str | None = None,
        queue: str | None = None,
        **payload: Any,
    ) -> None:
        self.events.append(
            NewEvent(
                type=event_type,
                occurred_at=at,
                contact_id=contact,
                channel=channel if contact else None,
                line=line if contact else None,
                queue=queue,
                agent=agent,
                payload=payload,
                event_id=str(uuid.uuid4()),
            )
        )

    def call(
        self,
        cid: str,
        at: dt.datetime,
        *,
        line: str = MAIN_LINE,
        menu: str | None = "juminhyo",
        queue_after: float = 5.0,
        wait: float | None = None,
        abandon_after: float | None = None,
        ivr_hangup: bool = False,
        agent: str = "op1",
        talk: float = 60.0,
        hold: float = 0.0,
        wrapup: float | None = 30.0,
        ended: bool = True,
        work_type: str | None = "inquiry",
        resolution: str | None = "in_center",
        section: str | None = "koseki",
        category: str | None = None,
        transfer_to: str | None = None,
    ) -> None:
        """One inbound call: IVR, queue, then answer (``wait`` s) or abandon."""
        sec = dt.timedelta(seconds=1)
        self.add(EventType.CONTACT_RECEIVED, at, cid, line=line)
        if menu is not None:
            self.add(EventType.IVR_MENU_CHOSEN, at + 2 * sec, cid, line=line, menu=menu, digits="1")
        if ivr_hangup:
            self.add(
                EventType.CONTACT_ABANDONED, at + 3 * sec, cid, line=line, stage="ivr", waited_s=0
            )
            return
        queued = at + queue_after * sec
        self.add(EventType.QUEUE_JOINED, queued, cid, line=line, queue="general", skill="general")
        if abandon_after is not None:
            self.add(
                EventType.CONTACT_ABANDONED,
                queued + abandon_after * sec,
                cid,
                line=line,
                stage="queue",
                waited_s=abandon_after,
            )
            return
        if wait is None:  # still queued: the caller's fate is written by the test
            return
        answered = queued + wait * sec
        self.add(
            EventType.CONTACT_ANSWERED,
            answered,
            cid,
            line=line,
            agent=agent,
            speed_of_answer_s=wait,
        )
        if hold:
            self.add(EventType.CONTACT_HELD, answered + 10 * sec, cid, line=line, agent=agent)
            self.add(
                EventType.CONTACT_RETRIEVED,
                answered + (10 + hold) * sec,
                cid,
                line=line,
                agent=agent,
                held_s=hold,
            )
        end = answered + (talk + hold) * sec
        if transfer_to is not None:
            self.add(
                EventType.CONTACT_TRANSFERRED,
                end,
                cid,
                line=line,
                agent=agent,
                kind="blind" if work_type == "switchboard" else "attended",
                destination=transfer_to,
            )
        if not ended:
            return
        self.add(
            EventType.CONTACT_ENDED, end, cid, line=line, by="caller", talk_s=talk, hold_s=hold
        )
        if wrapup is not None:
            self.add(
                EventType.WRAPUP_ENDED,
                end + wrapup * sec,
                cid,
                line=line,
                agent=agent,
                wrapup_s=wrapup,
                work_type=work_type,
                resolution=resolution,
                section=section,
                category=category,
            )

    def item(
        self,
        cid: str,
        at: dt.datetime,
        *,
        channel: Channel = Channel.EMAIL,
        taken_after: dt.timedelta | None = None,
        reply_after: dt.timedelta | None = None,
        forward_to: str | None = None,
    ) -> None:
        """One e-mail or fax: received, maybe taken, replied or forwarded."""
        line = FAX_LINE if channel == Channel.FAX else MAILBOX
        self.add(EventType.CONTACT_RECEIVED, at, cid, channel=channel, line=line)
        if taken_after is not None:
            self.add(
                EventType.CONTACT_ANSWERED,
                at + taken_after,
                cid,
                channel=channel,
                line=line,
                agent="op9",
                speed_of_answer_s=taken_after.total_seconds(),
            )
        if reply_after is not None:
            within = reply_after <= dt.timedelta(hours=24)
            self.add(
                EventType.ITEM_REPLIED,
                at + reply_after,
                cid,
                channel=channel,
                line=line,
                within_24h=within,
            )
        if forward_to is not None:
            self.add(
                EventType.ITEM_FORWARDED,
                at + dt.timedelta(minutes=30),
                cid,
                channel=channel,
                line=line,
                destination=forward_to,
            )

    def presence(
        self, agent: str, at: dt.datetime, kind: EventType, state: str | None = None
    ) -> None:
        """An agent presence event (no contact)."""
        payload: dict[str, Any] = {} if state is None else {"state": state}
        self.add(kind, at, None, agent=agent, **payload)

    def rows(self) -> list[EventRow]:
        """The events as the log returns them (payloads validated), seq in writing order."""
        out = []
        for seq, e in enumerate(self.events, start=1):
            payload = PAYLOADS[e.type].model_validate(dict(e.payload)).model_dump(mode="json")
            channel = e.channel.value if e.channel else None
            out.append(
                EventRow(
                    seq,
                    e.type.value,
                    e.contact_id,
                    channel,
                    e.occurred_at,
                    e.line,
                    e.queue,
                    e.agent,
                    payload,
                )
            )
        return out


def standard_day() -> Journal:
    """The hand-computed day of docs/kpi.md's worked example (Monday 2026-11-02, JST)."""
    j = Journal()
    j.call("c1", jst(DAY, 9, 0), wait=10, talk=100, hold=20, wrapup=40, agent="op1")
    j.call(
        "c2",
        jst(DAY, 9, 10),
        wait=20,
        talk=200,
        wrapup=60,
        agent="op2",
        resolution="handed_off",
        transfer_to="D012",
        section="zeimu",
    )
    j.call("c3", jst(DAY, 9, 20), abandon_after=8)
    j.call("c4", jst(DAY, 9, 30), abandon_after=40)
    j.call(
        "c5",
        jst(DAY, 10, 0),
        menu="daihyo",
        wait=5,
        talk=30,
        wrapup=10,
        agent="op1",
        work_type="switchboard",
        resolution="switchboard_transfer",
        section=None,
        transfer_to="D020",
    )
    j.call("c6", jst(DAY, 10, 5), ivr_hangup=True)
    j.call("c7", jst(DAY, 10, 10), wait=15, talk=60, wrapup=30, agent="op2")
    j.add(EventType.QA_VIOLATION_FLAGGED, jst(DAY, 15, 0), "c7", agent="qa1", violation="privacy")
    j.call("v1", jst(DAY, 9, 5), line=COVID_LINE, menu=None, wait=30, talk=300, agent="op3")
    j.call("v2", jst(DAY, 9, 6), line=COVID_LINE, menu=None, abandon_after=12)
    return j


LATER = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def report_of(
    journal: Journal,
    *,
    first: dt.date = DAY,
    last: dt.date | None = None,
    by: tuple[Dimension, ...] = ("period",),
    settings: KpiSettings | None = None,
    now: dt.datetime = LATER,
    rows: list[EventRow] | None = None,
) -> KpiReport:
    """The report of the journal's events for [first, last] (JST days), as seen at ``now``."""
    s = settings or KpiSettings()
    period = Period.days(first, last or first)
    period.check_ended(now=now)
    horizon = min(now, period.end + s.trailing)
    return compute_report(
        journal.rows() if rows is None else rows,
        period=period,
        dimensions=by,
        settings=s,
        horizon=horizon,
    )
