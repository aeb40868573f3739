"""The call-path configuration as plain frozen data, read from the tables for every call.

Reading per call is what makes admin changes effective without a restart: lines, menus,
guidance and emergency mode apply to the next call; queue and skill changes are applied by the
ACD runner as soon as no contact is in flight (see docs/callpath.md).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlmodel import Session, select

from switch.acd.queues import Overflow, QueueConfig
from switch.acd.skills import SkillNeed
from switch.calendar.model import (
    YEAR_END,
    CalendarConfig,
    Closure,
    EmergencyState,
    LineHours,
    ServiceWindow,
    WeekWindows,
)
from switch.callpath.closures import calendar_closures
from switch.callpath.models import (
    CallpathAgent,
    CallpathEmergency,
    CallpathLine,
    CallpathNode,
    CallpathQueue,
    CallpathSound,
)

TargetKind = Literal["menu", "queue", "switchboard"]
SERVICES = ("live", "switchboard", "intake")


@dataclass(frozen=True)
class Choice:
    """Where a DTMF digit leads: a submenu, a queue, or a switchboard (交換) queue."""

    kind: TargetKind
    target: str


@dataclass(frozen=True)
class MenuNode:
    """One IVR menu."""

    node_id: str
    did: str
    menu_key: str
    label_ja: str
    prompt_key: str
    timeout_ms: int
    retries: int
    invalid_key: str
    failed_key: str
    choices: Mapping[str, Choice]
    faq_category: str
    script_work_type: str
    queue_id: str | None = None
    switchboard: bool = False


@dataclass(frozen=True)
class Line:
    """A dialled number with its root menu."""

    did: str
    name_ja: str
    root_node: str | None
    hours: LineHours
    kind: str = "voice"
    survey_percent: int = 0


@dataclass(frozen=True)
class AgentProfile:
    """An agent's extension and skills."""

    username: str
    extension: str
    skills: Mapping[str, int]


@dataclass(frozen=True)
class Emergency:
    """Emergency mode as configured."""

    active: bool
    message_key: str
    overflow_number: str | None
    menu_node: str | None
    changed_by: str
    changed_at: dt.datetime | None


@dataclass(frozen=True)
class CallPathConfig:
    """Everything a call needs to be routed."""

    lines: Mapping[str, Line]
    nodes: Mapping[str, MenuNode]
    queues: tuple[QueueConfig, ...]
    queue_labels: Mapping[str, str]
    agents: Mapping[str, AgentProfile]
    emergency: Emergency
    sounds: Mapping[str, str] = field(default_factory=dict)
    callback_after: Mapping[str, float] = field(default_factory=dict)
    """Queue id -> wait (seconds) from which a call-back is offered (queues that offer one)."""
    closures: tuple[Closure, ...] = ()

    def calendar(self) -> CalendarConfig:
        """The business calendar of these lines, with the year-end closure and emergency."""
        state = EmergencyState.inactive()
        if self.emergency.active:
            state = EmergencyState(
                active=True,
                since=None,  # read for every call: in force from the moment it is stored
                message_key=self.emergency.message_key or "emergency",
                overflow_number=self.emergency.overflow_number,
            )
        return CalendarConfig(
            lines=tuple(line.hours for line in self.lines.values()),
            annual_closures=(YEAR_END,),
            closures=self.closures,
            emergency=state,
        )

    def queue_signature(self) -> tuple[Any, ...]:
        """What the ACD engine is built from (queues and skills): changes need a rebuild."""
        return (
            self.queues,
            tuple(sorted((a, tuple(sorted(p.skills.items()))) for a, p in self.agents.items())),
        )


def _time(text: str) -> dt.time:
    hours, _, minutes = text.partition(":")
    if hours == "24" and minutes in ("", "00"):
        return dt.time(0, 0)
    return dt.time(int(hours), int(minutes or "0"))


def parse_week(raw: Any) -> WeekWindows:
    """Seven day lists (Monday first) of ["HH:MM", "HH:MM"] pairs; "24:00" ends the day."""
    if raw is None:
        raw = [[] for _ in range(7)]
    if not isinstance(raw, list) or len(raw) != 7:
        raise ValueError("7 days, Monday first")
    week: list[tuple[ServiceWindow, ...]] = []
    for day in raw:
        if not isinstance(day, list):
            raise ValueError("each day is a list of windows")
        windows = []
        for pair in day:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError("each window is [start, end]")
            windows.append(ServiceWindow(_time(str(pair[0])), _time(str(pair[1]))))
        week.append(tuple(windows))
    return tuple(week)


def week_json(week: WeekWindows) -> list[list[list[str]]]:
    """The JSON form of a week (inverse of :func:`parse_week`)."""

    def hhmm(t: dt.time, end: bool) -> str:
        return "24:00" if end and t == dt.time(0, 0) else f"{t.hour:02d}:{t.minute:02d}"

    return [[[hhmm(w.start, False), hhmm(w.end, True)] for w in day] for day in week]


def line_hours(did: str, name_ja: str, hours: Mapping[str, Any]) -> LineHours:
    """LineHours from the stored JSON (raises ValueError or InvalidCalendarData)."""
    return LineHours(
        did=did,
        name_ja=name_ja,
        live=parse_week(hours.get("live")),
        switchboard=parse_week(hours.get("switchboard")),
        intake=parse_week(hours.get("intake")),
        holidays_close_live=bool(hours.get("holidays_close_live", False)),
        holidays_close_switchboard=bool(hours.get("holidays_close_switchboard", True)),
        holidays_close_intake=bool(hours.get("holidays_close_intake", False)),
    )


def parse_choices(raw: Any) -> dict[str, Choice]:
    """{"1": {"kind": "queue", "target": "q_tax"}, ...}."""
    if not isinstance(raw, dict):
        raise ValueError("choices is an object")
    out: dict[str, Choice] = {}
    for digit, target in raw.items():
        if not isinstance(digit, str) or len(digit) != 1 or digit not in "0123456789*#":
            raise ValueError(f"choice key {digit!r} is not one DTMF digit")
        if not isinstance(target, dict) or target.get("kind") not in (
            "menu",
            "queue",
            "switchboard",
        ):
            raise ValueError(f"choice {digit}: kind is menu, queue or switchboard")
        out[digit] = Choice(kind=target["kind"], target=str(target.get("target", "")))
    return out


def node_of(row: CallpathNode) -> MenuNode:
    """The frozen form of a stored menu."""
    return MenuNode(
        node_id=row.node_id,
        did=row.did,
        menu_key=row.menu_key,
        label_ja=row.label_ja,
        prompt_key=row.prompt_key,
        timeout_ms=row.timeout_ms,
        retries=row.retries,
        invalid_key=row.invalid_key,
        failed_key=row.failed_key,
        choices=parse_choices(json.loads(row.choices)),
        faq_category=row.faq_category,
        script_work_type=row.script_work_type,
        queue_id=row.queue_id,
        switchboard=row.switchboard,
    )


def queue_of(row: CallpathQueue) -> QueueConfig:
    """The ACD's form of a stored queue."""
    overflow = None
    if row.overflow_to and row.overflow_after_s is not None:
        overflow = Overflow(after_s=row.overflow_after_s, to_queue=row.overflow_to)
    return QueueConfig(
        queue_id=row.queue_id,
        need=SkillNeed(row.skill_group, row.min_level),
        priority=row.priority,
        overflow=overflow,
        announce_every_s=row.announce_every_s,
    )


def load_config(session: Session) -> CallPathConfig:
    """Read the whole configuration (a few small tables)."""
    lines = {
        row.did: Line(
            did=row.did,
            name_ja=row.name_ja,
            root_node=row.root_node,
            hours=line_hours(row.did, row.name_ja, json.loads(row.hours)),
            kind=row.kind,
            survey_percent=row.survey_percent,
        )
        for row in session.exec(select(CallpathLine))
    }
    nodes = {row.node_id: node_of(row) for row in session.exec(select(CallpathNode))}
    queue_rows = list(session.exec(select(CallpathQueue).order_by(CallpathQueue.queue_id)))
    agents = {
        row.username: AgentProfile(
            username=row.username,
            extension=row.extension,
            skills={str(k): int(v) for k, v in json.loads(row.skills).items()},
        )
        for row in session.exec(select(CallpathAgent))
    }
    em = session.get(CallpathEmergency, 1)
    emergency = Emergency(
        active=bool(em and em.active),
        message_key=em.message_key if em else "",
        overflow_number=em.overflow_number if em else None,
        menu_node=em.menu_node if em else None,
        changed_by=em.changed_by if em else "",
        changed_at=em.changed_at if em else None,
    )
    sounds = {row.sound_key: row.file_name for row in session.exec(select(CallpathSound))}
    closures = calendar_closures(session)
    return CallPathConfig(
        lines=lines,
        nodes=nodes,
        queues=tuple(queue_of(r) for r in queue_rows),
        queue_labels={r.queue_id: r.label_ja for r in queue_rows},
        agents=agents,
        emergency=emergency,
        sounds=sounds,
        callback_after={
            r.queue_id: r.callback_after_s for r in queue_rows if r.callback_after_s is not None
        },
        closures=closures,
    )
