"""Events the ACD returns: the caller appends them to the contact log (cms) and pushes them live.

Type names and payload keys are those of ``cms.events`` (a test checks every payload against the
cms models), so the switch layer only adds the wall-clock time and the channel's line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class AgentStateChanged:
    """One agent state change (``agent.state_changed``)."""

    type: ClassVar[str] = "agent.state_changed"
    agent: str
    state: str
    reason: str | None
    at: float
    contact_id: str | None = None

    def payload(self) -> dict[str, Any]:
        """The cms payload: state and reason."""
        return {"state": self.state, "reason": self.reason}


@dataclass(frozen=True)
class ContactEvent:
    """One contact happening in the ACD: joined, overflowed, offered, answered, ended..."""

    type: str
    at: float
    contact_id: str
    channel: str
    queue: str | None = None
    agent: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The cms payload of this event type."""
        return dict(self.data)


AcdEvent = AgentStateChanged | ContactEvent
