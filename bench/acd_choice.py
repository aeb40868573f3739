"""ACD choice under churn: 500 agents, 50 queues, random skills and levels.

Times every engine call that has to choose: a call arriving (choose the longest-idle agent with
the skill) and an agent becoming free (choose the best waiting call of its queues).
Run: PYTHONPATH=. python bench/acd_choice.py
"""

from __future__ import annotations

import random
import time

from switch.acd.agents import AgentState
from switch.acd.clock import ManualClock
from switch.acd.engine import Engine, EngineSettings, HistorySaved
from switch.acd.queues import Overflow, QueueConfig
from switch.acd.skills import SkillNeed

AGENTS, QUEUES, GROUPS, OPERATIONS = 500, 50, 25, 200_000


def _queues(rng: random.Random) -> list[QueueConfig]:
    queues = [QueueConfig(queue_id="wide", need=SkillNeed("g0", 1))]
    for q in range(1, QUEUES):
        queues.append(
            QueueConfig(
                queue_id=f"q{q}",
                need=SkillNeed(f"g{q % GROUPS}", rng.randint(1, 3)),
                priority=rng.randint(0, 2),
                overflow=Overflow(rng.uniform(30, 120), "wide") if q % 3 == 0 else None,
            )
        )
    return queues


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main(seed: int = 1) -> None:
    rng = random.Random(seed)
    clock = ManualClock(0.0)
    engine = Engine(queues=_queues(rng), clock=clock, settings=EngineSettings(ring_timeout_s=20))
    for a in range(AGENTS):
        groups = rng.sample(range(GROUPS), rng.randint(1, 5))
        skills = {f"g{g}": rng.randint(1, 4) for g in groups} | {"g0": 1}
        engine.sign_in(agent_id=f"a{a}", skills=skills, ready=rng.random() < 0.6)
    arrive: list[float] = []
    free: list[float] = []
    other = 0
    contact = 0
    for _ in range(OPERATIONS):
        clock.advance(rng.expovariate(1 / 0.05))
        op = rng.random()
        agent_id = f"a{rng.randrange(AGENTS)}"
        agent = engine.agent(agent_id)
        if op < 0.25:
            contact += 1
            queue = rng.choice([f"q{q}" for q in range(1, QUEUES)])
            started = time.perf_counter()
            engine.enqueue(contact_id=f"c{contact}", queue_id=queue)
            arrive.append(time.perf_counter() - started)
        elif op < 0.40 and engine.contacts():
            engine.hangup(contact_id=rng.choice(list(engine.contacts())))
            other += 1
        elif agent.state is AgentState.NOT_READY:
            started = time.perf_counter()
            engine.set_ready(agent_id=agent_id)
            free.append(time.perf_counter() - started)
        elif agent.state is AgentState.WRAP_UP:
            receipt = HistorySaved(agent.contact_id or "", agent_id)
            started = time.perf_counter()
            engine.end_wrapup(agent_id=agent_id, receipt=receipt)
            free.append(time.perf_counter() - started)
        elif agent.state is AgentState.READY:
            engine.set_not_ready(agent_id=agent_id, reason="break")
        elif agent.state is AgentState.OFFERED:
            engine.accept(agent_id=agent_id)
        elif agent.state in (AgentState.ON_CALL, AgentState.HELD):
            engine.end_contact(agent_id=agent_id)
        if rng.random() < 0.05:
            engine.tick()
    assert engine.problems() == []
    waiting = sum(len(engine.waiting(q.queue_id)) for q in _queues(random.Random(seed)))
    print(f"{AGENTS} agents, {QUEUES} queues, {GROUPS} skill groups, {OPERATIONS:,} operations")
    print(f"at the end: {waiting} waiting, {len(engine.contacts())} live contacts\n")
    print("| choice | count | p50 µs | p99 µs | max µs |")
    print("|---|---:|---:|---:|---:|")
    for name, samples in (
        ("call arrives: choose agent", arrive),
        ("agent frees: choose call", free),
    ):
        print(
            f"| {name} | {len(samples):,} | {_pct(samples, 0.5) * 1e6:.1f} "
            f"| {_pct(samples, 0.99) * 1e6:.1f} | {max(samples) * 1e6:.1f} |"
        )


if __name__ == "__main__":
    main()
