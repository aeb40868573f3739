"""Agent states as an explicit state machine; every change returns an event."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from switch.acd.errors import IllegalTransition, ReasonRequired
from switch.acd.events import AgentStateChanged


class AgentState(StrEnum):
    """Names match ``cms.events.AgentStateChanged.state``."""

    SIGNED_OUT = "signed_out"
    NOT_READY = "not_ready"
    READY = "ready"
    OFFERED = "offered"
    ON_CALL = "on_call"
    HELD = "held"
    WRAP_UP = "wrap_up"


S = AgentState

TRANSITIONS: dict[AgentState, frozenset[AgentState]] = {
    S.SIGNED_OUT: frozenset({S.NOT_READY, S.READY}),
    S.NOT_READY: frozenset({S.READY, S.SIGNED_OUT, S.NOT_READY}),
    S.READY: frozenset({S.OFFERED, S.NOT_READY, S.SIGNED_OUT}),
    # offered -> on_call: accepted; -> not_ready: no answer; -> ready: the caller hung up while
    # ringing; -> signed_out: the agent's browser went away while ringing.
    # -> on_call without accepting: back to the mail or fax the call offer interrupted.
    S.OFFERED: frozenset({S.ON_CALL, S.NOT_READY, S.READY, S.SIGNED_OUT}),
    # on_call -> offered: only an agent working a mail or fax may be offered a call (blending);
    # -> ready: a mail or fax handed back to its queue unfinished.
    S.ON_CALL: frozenset({S.HELD, S.WRAP_UP, S.OFFERED, S.READY}),
    S.HELD: frozenset({S.ON_CALL, S.WRAP_UP}),
    # Leaving wrap-up needs proof that the history was saved (checked by the engine);
    # -> on_call: back to the mail or fax that was parked when the call was accepted.
    S.WRAP_UP: frozenset({S.READY, S.NOT_READY, S.ON_CALL}),
}
"""Allowed moves: ``TRANSITIONS[from]`` is the set of states one may go to."""

SIGNED_IN = frozenset(set(AgentState) - {S.SIGNED_OUT})
BUSY = frozenset({S.OFFERED, S.ON_CALL, S.HELD, S.WRAP_UP})


@dataclass
class Agent:
    """One agent's live ACD record."""

    agent_id: str
    skills: dict[str, int]
    state: AgentState = S.SIGNED_OUT
    reason: str | None = None
    since: float = 0.0
    idle_since: float = 0.0
    contact_id: str | None = None
    interrupted: str | None = None
    parked: list[str] = field(default_factory=list)
    blend_paused: bool = False

    def move(
        self,
        to: AgentState,
        *,
        at: float,
        reason: str | None = None,
        contact_id: str | None = None,
    ) -> AgentStateChanged:
        """Change state if the table allows it; returns the event to log and push."""
        if to not in TRANSITIONS[self.state]:
            raise IllegalTransition(
                agent_id=self.agent_id, from_state=self.state.value, to_state=to.value
            )
        if to is S.NOT_READY and not reason:
            raise ReasonRequired(agent_id=self.agent_id)
        self.state = to
        self.reason = reason if to is S.NOT_READY else None
        self.since = at
        self.contact_id = contact_id if to in BUSY else None
        return AgentStateChanged(
            agent=self.agent_id,
            state=to.value,
            reason=self.reason,
            at=at,
            contact_id=self.contact_id,
        )
