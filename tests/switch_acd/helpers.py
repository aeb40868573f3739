"""A small ACD for tests: two menus, an overflow queue, a mail queue, a manual clock."""

from __future__ import annotations

from switch.acd.announce import Announcement
from switch.acd.clock import ManualClock
from switch.acd.engine import Contact, Engine, EngineSettings
from switch.acd.queues import Overflow, QueueConfig
from switch.acd.skills import SkillNeed

QUEUES = [
    QueueConfig(
        queue_id="tax",
        menu="1",
        need=SkillNeed("tax", 2),
        overflow=Overflow(after_s=60, to_queue="general"),
    ),
    QueueConfig(queue_id="welfare", menu="2", need=SkillNeed("welfare", 1), priority=1),
    QueueConfig(queue_id="general", need=SkillNeed("general", 1)),
    QueueConfig(queue_id="mail", need=SkillNeed("general", 1), work=True),
]


def make(settings: EngineSettings | None = None) -> tuple[Engine, ManualClock]:
    clock = ManualClock(1000.0)
    return Engine(queues=QUEUES, clock=clock, settings=settings), clock


def types(events) -> list[str]:
    return [e.type for e in events]


def states(engine: Engine) -> dict[str, str]:
    return {a: ag.state.value for a, ag in engine.agents().items()}


def live(engine: Engine, contact_id: str) -> Contact:
    found = engine.contact(contact_id)
    assert found is not None, f"{contact_id} is not live"
    return found


def said(engine: Engine, contact_id: str) -> Announcement:
    found = engine.position_and_wait(contact_id=contact_id)
    assert found is not None, f"{contact_id} is not waiting"
    return found
