"""The agent state machine: every legal move, every illegal one, and the events."""

from __future__ import annotations

import typing

import pytest

from cms.events import AgentStateChanged as CmsAgentStateChanged
from switch.acd.agents import TRANSITIONS, Agent, AgentState
from switch.acd.errors import IllegalTransition, ReasonRequired

ALL = list(AgentState)
PAIRS = [(a, b) for a in ALL for b in ALL]


def _agent_in(state: AgentState) -> Agent:
    return Agent(agent_id="a1", skills={"tax": 1}, state=state)


@pytest.mark.req("F-1.3.1")
@pytest.mark.parametrize(("start", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_each_transition_is_allowed_exactly_when_the_table_says(start, to):
    agent = _agent_in(start)
    reason = "break" if to is AgentState.NOT_READY else None
    if to in TRANSITIONS[start]:
        event = agent.move(to, at=5.0, reason=reason, contact_id="c1")
        assert agent.state is to
        assert (event.agent, event.state, event.reason, event.at) == ("a1", to.value, reason, 5.0)
        assert event.payload() == {"state": to.value, "reason": reason}
    else:
        with pytest.raises(IllegalTransition) as caught:
            agent.move(to, at=5.0, reason=reason)
        assert caught.value.error_id == "agent-illegal-transition"
        assert (caught.value.from_state, caught.value.to_state) == (start.value, to.value)
        assert agent.state is start


@pytest.mark.req("F-1.3.1")
def test_not_ready_needs_a_reason_code():
    agent = _agent_in(AgentState.READY)
    with pytest.raises(ReasonRequired):
        agent.move(AgentState.NOT_READY, at=1.0)
    assert agent.state is AgentState.READY


@pytest.mark.req("F-1.3.1")
def test_state_names_are_exactly_the_contact_log_names():
    literal = typing.get_type_hints(CmsAgentStateChanged)["state"]
    assert set(typing.get_args(literal)) == {s.value for s in AgentState}


@pytest.mark.req("F-1.3.1", "F-2.1.4")
def test_wrap_up_cannot_be_left_for_signed_out_or_offered():
    assert AgentState.SIGNED_OUT not in TRANSITIONS[AgentState.WRAP_UP]
    assert AgentState.OFFERED not in TRANSITIONS[AgentState.WRAP_UP]
    for busy in (AgentState.OFFERED, AgentState.HELD, AgentState.WRAP_UP):
        assert AgentState.OFFERED not in TRANSITIONS[busy]
