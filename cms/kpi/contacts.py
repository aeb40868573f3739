"""Fold the event stream into one small :class:`ContactFacts` record per contact.

The fold is single-pass and order-independent: every fact keeps the (occurred_at, seq) key of the
event that set it and a rule says which wins (the earliest answer, the latest end...), so events
read out of order give the same facts, and a fact repeated under a new event id changes nothing.
A contact belongs to the moment it was RECEIVED (Japan time decides its day and hour), however
long it lasts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from cms.kpi.settings import KpiSettings
from cms.kpi.source import EventRow

Key = tuple[datetime, int]
Kind = Literal["call", "covid", "item", "callback", "outbound", "transfer", "unknown"]

CLOSED_GUIDANCE = frozenset({"out_of_hours", "holiday", "year_end", "closure"})
EXTERNAL_TRANSFERS = frozenset({"blind", "attended"})


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """Everything the KPIs need to know about one contact; no personal data."""

    contact_id: str
    kind: Kind
    channel: str | None
    line: str | None
    menu: str | None
    queue: str | None
    agent: str | None
    work_type: str | None
    resolution: str | None
    section: str | None
    category: str | None
    received_at: datetime
    receipt_inferred: bool
    queued_at: datetime | None
    answered_at: datetime | None
    wait_s: float | None
    abandoned_at: datetime | None
    abandon_stage: str | None
    abandon_wait_s: float | None
    ended_at: datetime | None
    talk_s: float | None
    hold_s: float
    wrapup_s: float | None
    closed_guidance: bool
    transfers_out: tuple[str, ...]
    forwarded_to: tuple[str, ...]
    replied_at: datetime | None
    violations: tuple[str, ...]
    callback_requested: bool
    survey_score: int | None = None
    """The latest satisfaction score 1-5 (survey.answered), None when not answered."""
    callback_reached: bool | None = None
    """The latest closed call-back's result (callback.completed), None when none closed."""

    @property
    def answered(self) -> bool:
        """An agent answered the call (or took the item)."""
        return self.answered_at is not None

    @property
    def abandoned(self) -> bool:
        """The caller hung up before an answer (an answer always wins over an abandon)."""
        return self.answered_at is None and self.abandoned_at is not None

    @property
    def handed_off(self) -> bool:
        """Passed to city staff or a department, not finished in the center."""
        return bool(self.transfers_out or self.forwarded_to) or self.resolution in (
            "handed_off",
            "switchboard_transfer",
        )

    @property
    def is_switchboard(self) -> bool:
        """Switchboard work (交換業務), excluded from first-contact resolution."""
        return self.work_type == "switchboard" or self.resolution == "switchboard_transfer"

    @property
    def resolved_in_center(self) -> bool:
        """Completed in the center at the first contact (一次回答)."""
        if self.resolution is not None:
            return self.resolution == "in_center"
        return self.kind == "item" and self.replied_at is not None and not self.handed_off


class _Builder:
    __slots__ = (
        "abandon",
        "answer",
        "callback",
        "callback_done",
        "category",
        "channel",
        "closed_guidance",
        "continuation",
        "end",
        "first",
        "forwarded",
        "holds",
        "line",
        "menu",
        "outbound",
        "queue",
        "queued",
        "received",
        "replied",
        "resolution",
        "section",
        "survey",
        "transfers",
        "violations",
        "work_type",
        "wrapups",
    )

    def __init__(self) -> None:
        self.first: Key | None = None
        self.received: Key | None = None
        self.outbound = False
        self.continuation = False
        self.channel: str | None = None
        self.line: str | None = None
        self.menu: tuple[Key, str] | None = None
        self.queue: tuple[Key, str] | None = None
        self.queued: Key | None = None
        self.answer: tuple[Key, str | None, float | None] | None = None
        self.abandon: tuple[Key, str, float] | None = None
        self.end: tuple[Key, float, float, str] | None = None
        self.holds: set[tuple[datetime, float]] | None = None
        self.wrapups: dict[str, tuple[Key, float]] | None = None
        self.work_type: tuple[Key, str] | None = None
        self.resolution: tuple[Key, str] | None = None
        self.section: tuple[Key, str] | None = None
        self.category: tuple[Key, str] | None = None
        self.closed_guidance = False
        self.transfers: set[str] | None = None
        self.forwarded: set[str] | None = None
        self.replied: Key | None = None
        self.violations: set[str] | None = None
        self.callback = False
        self.survey: tuple[Key, int] | None = None
        self.callback_done: tuple[Key, bool] | None = None


def _later(current: tuple[Any, ...] | None, key: Key) -> bool:
    return current is None or key >= current[0]


def _on_received(b: _Builder, key: Key, row: EventRow) -> None:
    if b.received is None or key < b.received:
        b.received = key
    if row.payload.get("direction") == "outbound":
        b.outbound = True
    if row.payload.get("transferred_from"):
        b.continuation = True


def _on_menu(b: _Builder, key: Key, row: EventRow) -> None:
    if _later(b.menu, key):
        b.menu = (key, str(row.payload.get("menu", "")))


def _on_guidance(b: _Builder, key: Key, row: EventRow) -> None:
    if row.payload.get("guidance") in CLOSED_GUIDANCE:
        b.closed_guidance = True


def _on_queue(b: _Builder, key: Key, row: EventRow) -> None:
    if b.queued is None or key < b.queued:
        b.queued = key
    name = row.queue or row.payload.get("to_queue")
    if name and _later(b.queue, key):
        b.queue = (key, str(name))


def _on_overflow(b: _Builder, key: Key, row: EventRow) -> None:
    name = row.payload.get("to_queue") or row.queue
    if name and _later(b.queue, key):
        b.queue = (key, str(name))


def _on_answered(b: _Builder, key: Key, row: EventRow) -> None:
    if b.answer is None or key < b.answer[0]:
        speed = row.payload.get("speed_of_answer_s")
        b.answer = (key, row.agent, None if speed is None else float(speed))


def _on_retrieved(b: _Builder, key: Key, row: EventRow) -> None:
    if b.holds is None:
        b.holds = set()
    b.holds.add((key[0], float(row.payload.get("held_s", 0.0))))


def _on_transferred(b: _Builder, key: Key, row: EventRow) -> None:
    p = row.payload
    if p.get("kind") in EXTERNAL_TRANSFERS and p.get("outcome", "completed") == "completed":
        if b.transfers is None:
            b.transfers = set()
        b.transfers.add(str(p.get("destination", "")))


def _on_abandoned(b: _Builder, key: Key, row: EventRow) -> None:
    if b.abandon is None or key < b.abandon[0]:
        p = row.payload
        b.abandon = (key, str(p.get("stage", "queue")), float(p.get("waited_s", 0.0)))


def _on_ended(b: _Builder, key: Key, row: EventRow) -> None:
    if _later(b.end, key):
        p = row.payload
        talk, hold = float(p.get("talk_s", 0.0)), float(p.get("hold_s", 0.0))
        b.end = (key, talk, hold, str(p.get("by", "")))


def _on_wrapup(b: _Builder, key: Key, row: EventRow) -> None:
    p = row.payload
    if b.wrapups is None:
        b.wrapups = {}
    who = row.agent or ""
    current = b.wrapups.get(who)
    if current is None or key >= current[0]:
        b.wrapups[who] = (key, float(p.get("wrapup_s", 0.0)))
    for name in ("work_type", "resolution", "section", "category"):
        value = p.get(name)
        if value is not None and _later(getattr(b, name), key):
            setattr(b, name, (key, str(value)))


def _on_replied(b: _Builder, key: Key, row: EventRow) -> None:
    if b.replied is None or key < b.replied:
        b.replied = key


def _on_forwarded(b: _Builder, key: Key, row: EventRow) -> None:
    if b.forwarded is None:
        b.forwarded = set()
    b.forwarded.add(str(row.payload.get("destination", "")))


def _on_callback(b: _Builder, key: Key, row: EventRow) -> None:
    b.callback = True


def _on_survey(b: _Builder, key: Key, row: EventRow) -> None:
    score = row.payload.get("score")
    if isinstance(score, int) and 1 <= score <= 5 and _later(b.survey, key):
        b.survey = (key, score)


def _on_callback_completed(b: _Builder, key: Key, row: EventRow) -> None:
    if _later(b.callback_done, key):
        b.callback_done = (key, bool(row.payload.get("reached")))


def _on_violation(b: _Builder, key: Key, row: EventRow) -> None:
    if b.violations is None:
        b.violations = set()
    b.violations.add(str(row.payload.get("violation", "other")))


def _ignore(b: _Builder, key: Key, row: EventRow) -> None:
    return None


_HANDLERS: dict[str, Callable[[_Builder, Key, EventRow], None]] = {
    "contact.received": _on_received,
    "ivr.menu_chosen": _on_menu,
    "ivr.guidance_played": _on_guidance,
    "queue.joined": _on_queue,
    "queue.overflowed": _on_overflow,
    "contact.answered": _on_answered,
    "contact.retrieved": _on_retrieved,
    "contact.transferred": _on_transferred,
    "contact.abandoned": _on_abandoned,
    "contact.ended": _on_ended,
    "wrapup.ended": _on_wrapup,
    "item.replied": _on_replied,
    "item.forwarded": _on_forwarded,
    "callback.requested": _on_callback,
    "callback.completed": _on_callback_completed,
    "survey.answered": _on_survey,
    "qa.violation_flagged": _on_violation,
}


class ContactFold:
    """Accumulates events into per-contact builders; :meth:`facts` returns the records."""

    def __init__(self) -> None:
        self._builders: dict[str, _Builder] = {}
        self.events = 0

    def add(self, row: EventRow) -> None:
        """Fold one event (any order, repeats allowed); agent-only events are ignored."""
        contact = row.contact_id
        if contact is None:
            return
        handler = _HANDLERS.get(row.type, _ignore)
        b = self._builders.get(contact)
        if b is None:
            b = self._builders[contact] = _Builder()
        self.events += 1
        key = (row.occurred_at, row.seq)
        if b.first is None or key < b.first:
            b.first = key
        if b.channel is None and row.channel:
            b.channel = row.channel
        if b.line is None and row.line:
            b.line = row.line
        handler(b, key, row)

    def add_all(self, rows: Iterable[EventRow]) -> None:
        """Fold every event of an iterable."""
        for row in rows:
            self.add(row)

    def facts(self, *, settings: KpiSettings) -> list[ContactFacts]:
        """One record per contact seen (contacts received before the fold window included)."""
        return [_finish(cid, b, settings) for cid, b in self._builders.items()]


def _kind(b: _Builder, settings: KpiSettings) -> Kind:
    channel = b.channel
    if channel in ("email", "fax") or (channel is None and b.line in settings.fax_lines):
        return "item"
    if channel == "callback":
        return "callback"
    if b.outbound:
        return "outbound"
    if b.continuation:
        return "transfer"
    if channel == "call":
        return "covid" if b.line in settings.covid_lines else "call"
    return "unknown"


def _value(slot: tuple[Key, str] | None) -> str | None:
    return None if slot is None else slot[1]


def _seconds(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds())


def _finish(contact_id: str, b: _Builder, settings: KpiSettings) -> ContactFacts:
    assert b.first is not None
    received = b.received[0] if b.received is not None else b.first[0]
    queued = b.queued[0] if b.queued is not None else None
    answered_at = agent = None
    wait: float | None = None
    if b.answer is not None:
        answered_at, agent = b.answer[0][0], b.answer[1]
        clock_start = received if settings.answer_clock == "received" else queued
        wait = _seconds(answered_at, clock_start) if clock_start is not None else b.answer[2]
    abandoned_at = stage = None
    abandon_wait: float | None = None
    abandon = b.abandon
    hung_up = b.end is not None and b.end[3] == "caller"
    if abandon is None and b.answer is None and queued is not None and b.end and hung_up:
        # the caller hung up in the queue, but no contact.abandoned was written
        abandon = (b.end[0], "queue", _seconds(b.end[0][0], queued))
    if abandon is not None and b.answer is None:
        abandoned_at, stage = abandon[0][0], abandon[1]
        clock_start = received if settings.answer_clock == "received" else queued
        abandon_wait = (
            _seconds(abandoned_at, clock_start) if clock_start is not None else abandon[2]
        )
    held_pieces = sum(s for _, s in b.holds) if b.holds else 0.0
    hold = max(b.end[2] if b.end is not None else 0.0, held_pieces)
    return ContactFacts(
        contact_id=contact_id,
        kind=_kind(b, settings),
        channel=b.channel,
        line=b.line,
        menu=_value(b.menu),
        queue=_value(b.queue),
        agent=agent,
        work_type=_value(b.work_type),
        resolution=_value(b.resolution),
        section=_value(b.section),
        category=_value(b.category),
        received_at=received,
        receipt_inferred=b.received is None,
        queued_at=queued,
        answered_at=answered_at,
        wait_s=wait,
        abandoned_at=abandoned_at,
        abandon_stage=stage,
        abandon_wait_s=abandon_wait,
        ended_at=b.end[0][0] if b.end is not None else None,
        talk_s=b.end[1] if b.end is not None else None,
        hold_s=hold,
        wrapup_s=sum(w for _, w in b.wrapups.values()) if b.wrapups else None,
        closed_guidance=b.closed_guidance and b.answer is None and b.queued is None,
        transfers_out=tuple(sorted(b.transfers)) if b.transfers else (),
        forwarded_to=tuple(sorted(b.forwarded)) if b.forwarded else (),
        replied_at=b.replied[0] if b.replied is not None else None,
        violations=tuple(sorted(b.violations)) if b.violations else (),
        callback_requested=b.callback,
        survey_score=b.survey[1] if b.survey is not None else None,
        callback_reached=b.callback_done[1] if b.callback_done is not None else None,
    )


def waited_within(seconds: float | None, limit: timedelta) -> bool:
    """A wait inside the limit, inclusive (15 秒以内 includes 15.0 s)."""
    return seconds is not None and seconds <= limit.total_seconds()
