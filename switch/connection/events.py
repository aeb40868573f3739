"""Typed events handed to the rest of the server: real FreeSWITCH events or reconciled ones."""

from __future__ import annotations

from dataclasses import dataclass

from switch.esl.event import EslEvent

RECONCILED_HEADER = "Madoguchi-Reconciled"


@dataclass(frozen=True, slots=True)
class SwitchEvent:
    """One event from FreeSWITCH (``synthetic`` when made by reconciliation after a reconnect)."""

    name: str
    esl: EslEvent
    connection: int
    synthetic: bool = False

    @property
    def subclass(self) -> str | None:
        """Event-Subclass of CUSTOM events (``callcenter::info``...)."""
        return self.esl.subclass

    @property
    def unique_id(self) -> str | None:
        """The channel UUID, when the event is about a channel."""
        return self.esl.unique_id

    @property
    def job_uuid(self) -> str | None:
        """Job-UUID of BACKGROUND_JOB events."""
        return self.esl.job_uuid

    @property
    def key(self) -> str:
        """What handlers register for: the subclass of CUSTOM events, else the event name."""
        if self.name == "CUSTOM" and self.subclass:
            return self.subclass
        return self.name

    def get(self, header: str) -> str | None:
        """A header value, decoded."""
        return self.esl.get(header)

    @classmethod
    def from_esl(cls, esl: EslEvent, *, connection: int) -> SwitchEvent:
        """Wrap a decoded event; events without Event-Name are named ``UNKNOWN``."""
        return cls(name=esl.name or "UNKNOWN", esl=esl, connection=connection)
