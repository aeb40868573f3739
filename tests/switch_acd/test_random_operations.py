"""Random operations, hang-ups and browser closes at every step: the state stays consistent."""

from __future__ import annotations

import random

import pytest

from switch.acd.agents import AgentState
from switch.acd.engine import EngineSettings, HistorySaved, Stage
from switch.acd.errors import IllegalTransition
from switch.acd.queues import Channel
from tests.switch_acd.helpers import live, make

S = AgentState
AGENTS = [f"a{i}" for i in range(8)]
SKILLS = [{"tax": 2, "general": 1}, {"welfare": 1}, {"general": 1}, {"tax": 1, "welfare": 2}]


def _step(engine, clock, rng, n, ended):
    op = rng.randrange(14)
    agent_id = rng.choice(AGENTS)
    live = list(engine.contacts())
    if op == 0:
        engine.sign_in(agent_id=agent_id, skills=rng.choice(SKILLS), ready=rng.random() < 0.5)
    elif op == 1:
        cid = f"c{n}"
        queue = rng.choice(["tax", "welfare", "general", "mail"])
        channel = Channel.EMAIL if queue == "mail" else Channel.CALL
        engine.enqueue(contact_id=cid, queue_id=queue, channel=channel)
    elif op == 2 and live:
        cid = rng.choice(live)
        engine.hangup(contact_id=cid)
        if engine.contact(cid) is None:
            ended.add(cid)
    elif op == 3:
        engine.disconnect(agent_id=agent_id)
    elif op == 4:
        clock.advance(rng.expovariate(1 / 15))
        engine.tick()
    else:
        agent = engine.agents().get(agent_id)
        if agent is None:
            return
        action = {
            S.SIGNED_OUT: lambda: engine.sign_in(agent_id=agent_id, skills=rng.choice(SKILLS)),
            S.NOT_READY: lambda: engine.set_ready(agent_id=agent_id),
            S.READY: lambda: engine.set_not_ready(agent_id=agent_id, reason="break"),
            S.OFFERED: lambda: (
                engine.accept(agent_id=agent_id)
                if rng.random() < 0.7
                else engine.offer_timeout(agent_id=agent_id)
            ),
            S.ON_CALL: lambda: (
                engine.hold(agent_id=agent_id)
                if rng.random() < 0.2 and engine.contact(agent.contact_id).channel is Channel.CALL
                else engine.end_contact(agent_id=agent_id)
            ),
            S.HELD: lambda: engine.retrieve(agent_id=agent_id),
            S.WRAP_UP: lambda: (
                engine.end_wrapup(
                    agent_id=agent_id, receipt=HistorySaved(agent.contact_id, agent_id)
                )
                if rng.random() < 0.9
                else engine.force_end_wrapup(agent_id=agent_id, supervisor_id="sv", reason="r")
            ),
        }[agent.state]
        ended_before = set(engine.contacts())
        action()
        ended |= ended_before - set(engine.contacts())
    # An illegal request (wrong state) must raise and change nothing: try one at random.
    if rng.random() < 0.1:
        agent = engine.agents().get(agent_id)
        if agent is not None and agent.state not in (S.READY, S.NOT_READY):
            before = (agent.state, agent.contact_id)
            with pytest.raises(IllegalTransition):
                engine.sign_out(agent_id=agent_id)
            assert (agent.state, agent.contact_id) == before


@pytest.mark.req("F-1.3.1", "F-2.1.4")
@pytest.mark.parametrize("seed", range(12))
def test_random_operations_keep_every_invariant(seed):
    rng = random.Random(seed)
    engine, clock = make(EngineSettings(ring_timeout_s=20))
    ended: set[str] = set()
    for n in range(1500):
        _step(engine, clock, rng, n, ended)
        problems = engine.problems()
        assert problems == [], f"step {n}: {problems}"
        for agent in engine.agents().values():
            assert not (agent.state is S.READY and agent.contact_id is not None)
            if agent.state is S.ON_CALL:
                assert live(engine, agent.contact_id or "").stage is Stage.CONNECTED
        assert not ended & set(engine.contacts()), "an ended contact came back"
        for contact in engine.contacts().values():
            if contact.stage is Stage.QUEUED:
                assert contact.contact_id in engine.waiting(contact.queue_id)


@pytest.mark.req("F-1.3.1")
@pytest.mark.parametrize("seed", range(6))
def test_everyone_hanging_up_and_leaving_leaves_no_state(seed):
    rng = random.Random(100 + seed)
    engine, clock = make(EngineSettings(ring_timeout_s=20))
    for n in range(800):
        _step(engine, clock, rng, n, set())
    for cid in list(engine.contacts()):
        engine.hangup(contact_id=cid)
    for agent_id, agent in engine.agents().items():
        if agent.state is S.WRAP_UP:
            engine.end_wrapup(
                agent_id=agent_id, receipt=HistorySaved(agent.contact_id or "", agent_id)
            )
        engine.disconnect(agent_id=agent_id)
    assert engine.contacts() == {}
    assert all(a.state is S.SIGNED_OUT for a in engine.agents().values())
    assert all(engine.waiting(q) == [] for q in ("tax", "welfare", "general", "mail"))
    assert engine.next_deadline() is None
    assert engine.problems() == []
