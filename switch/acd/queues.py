"""Queues per IVR menu: the skill they need, priority, overflow rules, and the waiting contacts."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from switch.acd.errors import InvalidQueueConfig, UnknownQueue
from switch.acd.skills import SkillNeed


class Channel(StrEnum):
    """Names match ``cms.events.Channel``. Calls are live; the others are work items."""

    CALL = "call"
    EMAIL = "email"
    FAX = "fax"
    CALLBACK = "callback"


@dataclass(frozen=True)
class Overflow:
    """After ``after_s`` seconds in queue (counted from first entry), move to ``to_queue``."""

    after_s: float
    to_queue: str


@dataclass(frozen=True)
class QueueConfig:
    """One queue: the menu it serves, the skill it needs, its priority and overflow rule."""

    queue_id: str
    need: SkillNeed
    menu: str | None = None
    priority: int = 0
    overflow: Overflow | None = None
    announce_every_s: float | None = 60.0
    work: bool = False
    """True for mail, fax and call-back queues (offered only to agents free of calls)."""


def validate_queues(configs: Iterable[QueueConfig]) -> dict[str, QueueConfig]:
    """Check ids, overflow targets and numbers; refuse overflow loops."""
    by_id: dict[str, QueueConfig] = {}
    for q in configs:
        if not q.queue_id:
            raise InvalidQueueConfig(queue_id=q.queue_id, problem="empty queue id")
        if q.queue_id in by_id:
            raise InvalidQueueConfig(queue_id=q.queue_id, problem="duplicate queue id")
        if q.need.min_level < 1 or not q.need.group:
            raise InvalidQueueConfig(queue_id=q.queue_id, problem="skill group and level >= 1")
        if q.announce_every_s is not None and q.announce_every_s <= 0:
            raise InvalidQueueConfig(queue_id=q.queue_id, problem="announce_every_s must be > 0")
        by_id[q.queue_id] = q
    for q in by_id.values():
        if q.overflow is None:
            continue
        target = by_id.get(q.overflow.to_queue)
        if target is None:
            raise InvalidQueueConfig(queue_id=q.queue_id, problem="unknown overflow target")
        if target.work != q.work:
            raise InvalidQueueConfig(queue_id=q.queue_id, problem="overflow across channels")
        seen = {q.queue_id}
        step: QueueConfig | None = target
        while step is not None:
            if step.queue_id in seen:
                raise InvalidQueueConfig(queue_id=q.queue_id, problem="overflow loop")
            seen.add(step.queue_id)
            step = by_id[step.overflow.to_queue] if step.overflow else None
    return by_id


_Key = tuple[int, float, int]


@dataclass
class WaitingLine:
    """The contacts waiting in one queue, in service order (priority, then entry time)."""

    config: QueueConfig
    _heap: list[tuple[_Key, str]] = field(default_factory=list)
    _members: dict[str, _Key] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self._members

    def push(self, contact_id: str, key: _Key) -> None:
        """Add a contact at the place its key gives (a requeued contact keeps its old place)."""
        self._members[contact_id] = key
        heapq.heappush(self._heap, (key, contact_id))

    def remove(self, contact_id: str) -> bool:
        """Take a contact out; False if it was not here."""
        return self._members.pop(contact_id, None) is not None

    def head(self) -> tuple[_Key, str] | None:
        """The next contact to serve, without removing it."""
        while self._heap:
            key, contact_id = self._heap[0]
            if self._members.get(contact_id) == key:
                return key, contact_id
            heapq.heappop(self._heap)
        return None

    def position(self, contact_id: str) -> int:
        """1-based place in line."""
        key = self._members[contact_id]
        return 1 + sum(1 for other in self._members.values() if other < key)

    def contact_ids(self) -> list[str]:
        """Everyone waiting, in order."""
        return [c for _, c in sorted((k, c) for c, k in self._members.items())]


def get_line(lines: dict[str, WaitingLine], queue_id: str) -> WaitingLine:
    """The queue's line, or a typed error."""
    line = lines.get(queue_id)
    if line is None:
        raise UnknownQueue(queue_id=queue_id)
    return line
