"""The ACD engine: queues, agent states and the choice of agent, on an injected clock.

Every public method returns the events to append to the contact log and push live. Nothing here
does I/O: timers (ring timeout, overflow, announcements) are due times that :meth:`Engine.tick`
processes when the owner calls it at :meth:`Engine.next_deadline`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from switch.acd.agents import Agent, AgentState
from switch.acd.announce import Announcement, HandleTimes, expected_wait
from switch.acd.clock import Clock
from switch.acd.errors import (
    DuplicateContact,
    HistoryNotSaved,
    IllegalTransition,
    UnknownAgent,
)
from switch.acd.events import AcdEvent, ContactEvent
from switch.acd.queues import Channel, QueueConfig, WaitingLine, get_line, validate_queues
from switch.acd.skills import SkillIndex

S = AgentState


class Stage(StrEnum):
    """Where a live contact is."""

    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    HELD = "held"
    PARKED = "parked"


@dataclass
class Contact:
    """One live contact in the ACD (forgotten as soon as it ends)."""

    contact_id: str
    channel: Channel
    queue_id: str
    entered_at: float
    key: tuple[int, float, int]
    stage: Stage = Stage.QUEUED
    agent_id: str | None = None
    offered_at: float = 0.0
    answered_at: float = 0.0
    hold_started: float = 0.0
    hold_total: float = 0.0
    work_s: float = 0.0
    next_announce: float | None = None

    @property
    def is_call(self) -> bool:
        """Live voice (not a mail, fax or call-back item)."""
        return self.channel is Channel.CALL


@dataclass(frozen=True)
class HistorySaved:
    """Receipt from the interaction-history service: the history of this contact is stored."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True)
class ForcedWrapup:
    """Audit record of a supervisor ending an agent's wrap-up without the history saved."""

    agent_id: str
    contact_id: str | None
    supervisor_id: str
    reason: str
    at: float
    wrapup_s: float
    events: list[AcdEvent]


@dataclass(frozen=True)
class EngineSettings:
    """Tunables of the ACD."""

    ring_timeout_s: float | None = 20.0
    default_aht_s: float = 180.0
    handle_window: int = 50
    blend: bool = True
    """Offer calls to agents working a mail or fax (the item is parked when they accept)."""


@dataclass(frozen=True)
class TickResult:
    """What became due: events to log and announcements to play."""

    events: list[AcdEvent] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)


@dataclass
class _Wrap:
    contact_id: str
    queue_id: str
    channel: Channel
    handled_s: float


class Engine:
    """Automatic call distribution over configured queues."""

    def __init__(
        self,
        *,
        queues: Iterable[QueueConfig],
        clock: Clock,
        settings: EngineSettings | None = None,
    ) -> None:
        self._queues = validate_queues(queues)
        self._clock = clock
        self._settings = settings or EngineSettings()
        self._lines = {q: WaitingLine(c) for q, c in self._queues.items()}
        self._agents: dict[str, Agent] = {}
        self._agent_lines: dict[str, tuple[list[str], list[str]]] = {}
        self._queue_agents: dict[str, set[str]] = {q: set() for q in self._queues}
        self._contacts: dict[str, Contact] = {}
        self._wraps: dict[str, _Wrap] = {}
        self._ready = SkillIndex()
        self._working = SkillIndex()
        self._handle = {
            q: HandleTimes(
                default_s=self._settings.default_aht_s, window=self._settings.handle_window
            )
            for q in self._queues
        }
        self._timers: list[tuple[float, int, str, str, float]] = []
        self._seq = 0

    # ------------------------------------------------------------------ views

    def agent(self, agent_id: str) -> Agent:
        """The agent's live record (read it, do not change it)."""
        found = self._agents.get(agent_id)
        if found is None:
            raise UnknownAgent(agent_id=agent_id)
        return found

    def contact(self, contact_id: str) -> Contact | None:
        """A live contact, or None once it has ended."""
        return self._contacts.get(contact_id)

    def waiting(self, queue_id: str) -> list[str]:
        """Contacts waiting in a queue, in service order."""
        return get_line(self._lines, queue_id).contact_ids()

    def agents(self) -> Mapping[str, Agent]:
        """All agents ever signed in."""
        return self._agents

    def contacts(self) -> Mapping[str, Contact]:
        """All live contacts."""
        return self._contacts

    # ------------------------------------------------------------------ agents

    def sign_in(
        self, *, agent_id: str, skills: Mapping[str, int], ready: bool = False
    ) -> list[AcdEvent]:
        """Sign in (or reconnect: an agent already signed in keeps its state)."""
        agent = self._agents.get(agent_id)
        if agent is not None and agent.state is not S.SIGNED_OUT:
            return []
        if agent is None:
            agent = self._agents[agent_id] = Agent(agent_id=agent_id, skills=dict(skills))
        agent.skills = dict(skills)
        agent.blend_paused = False
        calls = [q for q, c in self._queues.items() if not c.work and c.need.met_by(skills)]
        work = [q for q, c in self._queues.items() if c.work and c.need.met_by(skills)]
        self._agent_lines[agent_id] = (calls, work)
        for q in (*calls, *work):
            self._queue_agents[q].add(agent_id)
        now = self._clock()
        agent.idle_since = now
        if ready:
            events: list[AcdEvent] = [self._move(agent, S.READY)]
            return events + self._serve_agent(agent)
        return [self._move(agent, S.NOT_READY, reason="signed_in")]

    def set_ready(self, *, agent_id: str) -> list[AcdEvent]:
        """Not ready -> ready; the agent may be offered a waiting contact at once."""
        agent = self.agent(agent_id)
        if agent.state is not S.NOT_READY:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.READY.value
            )
        agent.idle_since = self._clock()
        events: list[AcdEvent] = [self._move(agent, S.READY)]
        return events + self._serve_agent(agent)

    def set_not_ready(self, *, agent_id: str, reason: str) -> list[AcdEvent]:
        """Ready (or not ready with another reason) -> not ready with a reason code."""
        agent = self.agent(agent_id)
        if agent.state not in (S.READY, S.NOT_READY):
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.NOT_READY.value
            )
        return [self._move(agent, S.NOT_READY, reason=reason)]

    def sign_out(self, *, agent_id: str) -> list[AcdEvent]:
        """Ready or not ready -> signed out; anything parked goes back to its queue."""
        agent = self.agent(agent_id)
        if agent.state not in (S.READY, S.NOT_READY):
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.SIGNED_OUT.value
            )
        events = self._return_parked(agent)
        events.append(self._move(agent, S.SIGNED_OUT))
        self._forget_lines(agent_id)
        return events

    def disconnect(self, *, agent_id: str) -> list[AcdEvent]:
        """The agent's browser went away: nothing is lost, every contact ends up somewhere."""
        agent = self._agents.get(agent_id)
        if agent is None or agent.state is S.SIGNED_OUT:
            return []
        events = self._return_parked(agent)
        if agent.state is S.OFFERED:
            contact = self._contacts[agent.contact_id or ""]
            events.append(self._no_answer_event(contact, agent))
            back = self._interrupted_contact(agent)
            agent.interrupted = None
            events.append(self._move(agent, S.SIGNED_OUT))
            events += self._requeue(contact)
            if back is not None:
                events += self._requeue(back)
        elif agent.state in (S.ON_CALL, S.HELD):
            contact = self._contacts[agent.contact_id or ""]
            if contact.is_call:
                # The caller is not dropped: back to the head of the queue for the next agent,
                # and this agent still owes the history of the conversation so far.
                self._wraps[agent_id] = _Wrap(
                    contact.contact_id, contact.queue_id, contact.channel, 0
                )
                events.append(self._move(agent, S.WRAP_UP, contact_id=contact.contact_id))
                events.append(
                    self._contact_event(
                        "contact.transferred",
                        contact,
                        agent=agent_id,
                        kind="queue",
                        destination=contact.queue_id,
                        outcome="completed",
                    )
                )
                events += self._requeue(contact)
            else:
                events.append(self._move(agent, S.READY))
                events.append(self._move(agent, S.SIGNED_OUT))
                events += self._requeue(contact)
        elif agent.state in (S.READY, S.NOT_READY):
            events.append(self._move(agent, S.SIGNED_OUT))
        if self._agents[agent_id].state is S.SIGNED_OUT:
            self._forget_lines(agent_id)
        return events

    def accept(self, *, agent_id: str) -> list[AcdEvent]:
        """The agent accepts the contact offered; a mail or fax being worked is parked."""
        agent = self.agent(agent_id)
        if agent.state is not S.OFFERED:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.ON_CALL.value
            )
        contact = self._contacts[agent.contact_id or ""]
        now = self._clock()
        events: list[AcdEvent] = []
        if agent.interrupted is not None:
            parked = self._contacts[agent.interrupted]
            parked.stage = Stage.PARKED
            parked.work_s += now - parked.answered_at
            agent.parked.append(parked.contact_id)
            agent.interrupted = None
        contact.stage = Stage.CONNECTED
        contact.answered_at = now
        events.append(
            self._contact_event(
                "contact.answered",
                contact,
                agent=agent_id,
                speed_of_answer_s=now - contact.entered_at,
            )
        )
        events.append(self._move(agent, S.ON_CALL, contact_id=contact.contact_id))
        if not contact.is_call:
            events += self._serve_working(agent)
        return events

    def offer_timeout(self, *, agent_id: str) -> list[AcdEvent]:
        """No answer: the contact goes back to its place for the next agent; this one not ready."""
        agent = self.agent(agent_id)
        if agent.state is not S.OFFERED:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.NOT_READY.value
            )
        contact = self._contacts[agent.contact_id or ""]
        events: list[AcdEvent] = [self._no_answer_event(contact, agent)]
        back = self._interrupted_contact(agent)
        if back is not None:
            agent.blend_paused = True
            events.append(self._resume(agent, back))
        else:
            events.append(self._move(agent, S.NOT_READY, reason="no_answer"))
        return events + self._requeue(contact)

    def hold(self, *, agent_id: str) -> list[AcdEvent]:
        """Put the caller on hold."""
        agent = self.agent(agent_id)
        contact = self._current(agent, S.HELD)
        if not contact.is_call:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.HELD.value
            )
        contact.stage = Stage.HELD
        contact.hold_started = self._clock()
        return [
            self._contact_event("contact.held", contact, agent=agent_id),
            self._move(agent, S.HELD, contact_id=contact.contact_id),
        ]

    def retrieve(self, *, agent_id: str) -> list[AcdEvent]:
        """Take the caller off hold."""
        agent = self.agent(agent_id)
        if agent.state is not S.HELD:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.ON_CALL.value
            )
        contact = self._contacts[agent.contact_id or ""]
        held = self._clock() - contact.hold_started
        contact.hold_total += held
        contact.stage = Stage.CONNECTED
        return [
            self._contact_event("contact.retrieved", contact, agent=agent_id, held_s=held),
            self._move(agent, S.ON_CALL, contact_id=contact.contact_id),
        ]

    def end_contact(self, *, agent_id: str) -> list[AcdEvent]:
        """The agent hangs up (or finishes the mail or fax): on to wrap-up."""
        agent = self.agent(agent_id)
        if agent.state not in (S.ON_CALL, S.HELD):
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.WRAP_UP.value
            )
        return self._end(self._contacts[agent.contact_id or ""], by="agent")

    def end_wrapup(
        self,
        *,
        agent_id: str,
        receipt: HistorySaved,
        then: AgentState = S.READY,
        reason: str | None = None,
    ) -> list[AcdEvent]:
        """End wrap-up once the history is saved (F-2.1.4); a parked item resumes first."""
        agent = self.agent(agent_id)
        if agent.state is not S.WRAP_UP:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=then.value
            )
        if receipt.agent_id != agent_id or receipt.contact_id != agent.contact_id:
            raise HistoryNotSaved(
                agent_id=agent_id, contact_id=agent.contact_id, receipt_for=receipt.contact_id
            )
        return self._finish_wrapup(agent, then=then, reason=reason, forced=False)

    def force_end_wrapup(
        self, *, agent_id: str, supervisor_id: str, reason: str, then: AgentState = S.NOT_READY
    ) -> ForcedWrapup:
        """A supervisor ends wrap-up without the history; returns the record to audit."""
        agent = self.agent(agent_id)
        if agent.state is not S.WRAP_UP:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=then.value
            )
        now = self._clock()
        contact_id = agent.contact_id
        wrapup_s = now - agent.since
        events = self._finish_wrapup(
            agent,
            then=then,
            reason="wrapup_forced" if then is S.NOT_READY else None,
            forced=True,
        )
        return ForcedWrapup(
            agent_id=agent_id,
            contact_id=contact_id,
            supervisor_id=supervisor_id,
            reason=reason,
            at=now,
            wrapup_s=wrapup_s,
            events=events,
        )

    # ------------------------------------------------------------------ contacts

    def enqueue(
        self,
        *,
        contact_id: str,
        queue_id: str,
        channel: Channel = Channel.CALL,
        waited_s: float = 0.0,
    ) -> list[AcdEvent]:
        """A contact joins a queue (a call after the IVR menu, or a mail or fax).

        ``waited_s``: time already spent in this queue (a caller taken over from a failed
        leader keeps its place and its overflow deadline)."""
        line = get_line(self._lines, queue_id)
        if contact_id in self._contacts:
            raise DuplicateContact(contact_id=contact_id)
        now = self._clock() - max(0.0, waited_s)
        self._seq += 1
        contact = Contact(
            contact_id=contact_id,
            channel=Channel(channel),
            queue_id=queue_id,
            entered_at=now,
            key=(-line.config.priority, now, self._seq),
        )
        self._contacts[contact_id] = contact
        line.push(contact_id, contact.key)
        events: list[AcdEvent] = [
            self._contact_event(
                "queue.joined",
                contact,
                skill=line.config.need.group,
                # Every contact in a line shares the line's priority, so a new one is last.
                position=len(line),
            )
        ]
        self._arm_queue_timers(contact)
        return events + self._serve_contact(contact)

    def enqueue_for(self, *, contact_id: str, queue_id: str, agent_id: str) -> list[AcdEvent]:
        """A call handed to one named agent: offered to it at once (it must be ready); if it
        does not answer the call waits in ``queue_id`` for anyone (transfers, F-1.1.3)."""
        agent = self.agent(agent_id)
        if agent.state is not S.READY:
            raise IllegalTransition(
                agent_id=agent_id, from_state=agent.state.value, to_state=S.OFFERED.value
            )
        line = get_line(self._lines, queue_id)
        if contact_id in self._contacts:
            raise DuplicateContact(contact_id=contact_id)
        now = self._clock()
        self._seq += 1
        contact = Contact(
            contact_id=contact_id,
            channel=Channel.CALL,
            queue_id=queue_id,
            entered_at=now,
            key=(-line.config.priority, now, self._seq),
        )
        self._contacts[contact_id] = contact
        line.push(contact_id, contact.key)
        joined = self._contact_event(
            "queue.joined", contact, skill=line.config.need.group, position=1
        )
        return [joined, *self._offer(contact, agent)]

    def hangup(self, *, contact_id: str) -> list[AcdEvent]:
        """The caller hung up (or the item was withdrawn), wherever it was; idempotent."""
        contact = self._contacts.get(contact_id)
        if contact is None:
            return []
        now = self._clock()
        if contact.stage is Stage.QUEUED:
            self._lines[contact.queue_id].remove(contact_id)
            del self._contacts[contact_id]
            return [
                self._contact_event(
                    "contact.abandoned", contact, stage="queue", waited_s=now - contact.entered_at
                )
            ]
        agent = self._agents[contact.agent_id or ""]
        if contact.stage is Stage.PARKED:
            agent.parked.remove(contact_id)
            del self._contacts[contact_id]
            return [self._ended_event(contact, by="caller", now=now)]
        if contact.stage is Stage.OFFERED:
            del self._contacts[contact_id]
            events: list[AcdEvent] = [
                self._contact_event(
                    "contact.abandoned",
                    contact,
                    agent=agent.agent_id,
                    stage="offered",
                    waited_s=now - contact.entered_at,
                )
            ]
            back = self._interrupted_contact(agent)
            if back is not None:
                events.append(self._resume(agent, back))
                return events + self._serve_working(agent)
            # Not the agent's fault: back to ready keeping its place among idle agents.
            events.append(self._move(agent, S.READY))
            return events + self._serve_agent(agent)
        if agent.interrupted == contact_id:
            # The mail under a ringing call offer was withdrawn.
            agent.interrupted = None
            del self._contacts[contact_id]
            return [self._ended_event(contact, by="caller", now=now)]
        return self._end(contact, by="caller")

    def position_and_wait(self, *, contact_id: str) -> Announcement | None:
        """Place in line and expected wait for a waiting contact (None if not waiting)."""
        contact = self._contacts.get(contact_id)
        if contact is None or contact.stage is not Stage.QUEUED:
            return None
        position = self._lines[contact.queue_id].position(contact_id)
        serving = sum(
            1
            for a in self._queue_agents[contact.queue_id]
            if self._agents[a].state not in (S.SIGNED_OUT, S.NOT_READY)
        )
        return Announcement(
            contact_id=contact_id,
            queue_id=contact.queue_id,
            position=position,
            expected_wait_s=expected_wait(
                position=position,
                aht_s=self._handle[contact.queue_id].mean(),
                serving_agents=serving,
            ),
            at=self._clock(),
        )

    def requeue(
        self, *, contact_id: str, queue_id: str | None = None, reason: str = "requeued"
    ) -> list[AcdEvent]:
        """A waiting or ringing contact goes back to a queue (its own or another), keeping its
        arrival time; a ringing agent goes not ready with ``reason`` (so it is not re-offered)."""
        contact = self._contacts.get(contact_id)
        if contact is None or contact.stage not in (Stage.QUEUED, Stage.OFFERED):
            return []
        target = get_line(self._lines, queue_id or contact.queue_id).config
        now = self._clock()
        events: list[AcdEvent] = []
        agent_id = contact.agent_id if contact.stage is Stage.OFFERED else None
        if contact.stage is Stage.QUEUED:
            self._lines[contact.queue_id].remove(contact_id)
        event = self._contact_event(
            "contact.requeued",
            contact,
            agent=agent_id,
            from_queue=contact.queue_id,
            to_queue=target.queue_id,
            from_stage=contact.stage.value,
            waited_s=now - contact.entered_at,
        )
        contact.stage = Stage.QUEUED
        contact.agent_id = None
        contact.queue_id = target.queue_id
        self._seq += 1
        contact.key = (-target.priority, contact.entered_at, self._seq)
        contact.next_announce = None
        events.append(event)
        if agent_id is not None:
            agent = self._agents[agent_id]
            back = self._interrupted_contact(agent)
            if back is not None:
                agent.blend_paused = True
                events.append(self._resume(agent, back))
            else:
                events.append(self._move(agent, S.NOT_READY, reason=reason))
        self._lines[target.queue_id].push(contact_id, contact.key)
        self._arm_queue_timers(contact)
        return events + self._serve_contact(contact)

    # ------------------------------------------------------------------ timers

    def next_deadline(self) -> float | None:
        """When :meth:`tick` next has something to do, or None."""
        while self._timers:
            due, _, kind, ident, token = self._timers[0]
            if self._timer_live(kind, ident, token):
                return due
            heapq.heappop(self._timers)
        return None

    def tick(self) -> TickResult:
        """Process every ring timeout, overflow and announcement due by now."""
        now = self._clock()
        result = TickResult()
        while self._timers and self._timers[0][0] <= now:
            _, _, kind, ident, token = heapq.heappop(self._timers)
            if not self._timer_live(kind, ident, token):
                continue
            if kind == "ring":
                result.events.extend(self.offer_timeout(agent_id=ident))
            elif kind == "overflow":
                result.events.extend(self._overflow(self._contacts[ident]))
            else:
                contact = self._contacts[ident]
                said = self.position_and_wait(contact_id=ident)
                if said is not None:
                    result.announcements.append(said)
                every = self._queues[contact.queue_id].announce_every_s
                contact.next_announce = None
                if every is not None:
                    contact.next_announce = now + every
                    self._timer(now + every, "announce", ident, now + every)
        return result

    # ------------------------------------------------------------------ checks

    def problems(self) -> list[str]:
        """Broken invariants (empty when the state is consistent); for tests and health checks."""
        found: list[str] = []
        where: dict[str, list[str]] = {}
        for q, line in self._lines.items():
            for c in line.contact_ids():
                where.setdefault(c, []).append(f"queue:{q}")
        for a in self._agents.values():
            if (a.state is S.READY) != (a.agent_id in self._ready):
                found.append(f"{a.agent_id}: ready index out of step ({a.state})")
            if a.state is S.READY and (a.contact_id or a.parked or a.interrupted):
                found.append(f"{a.agent_id}: ready while holding a contact")
            if a.state in (S.OFFERED, S.ON_CALL, S.HELD):
                where.setdefault(a.contact_id or "?", []).append(f"agent:{a.agent_id}")
            if a.interrupted:
                where.setdefault(a.interrupted, []).append(f"interrupted:{a.agent_id}")
            for p in a.parked:
                where.setdefault(p, []).append(f"parked:{a.agent_id}")
            if (a.agent_id in self._working) != (
                a.state is S.ON_CALL
                and self._settings.blend
                and not a.blend_paused
                and not self._contacts[a.contact_id or ""].is_call
            ):
                found.append(f"{a.agent_id}: blending index out of step ({a.state})")
            if a.state is S.WRAP_UP and a.agent_id not in self._wraps:
                found.append(f"{a.agent_id}: wrap-up without a contact")
            if a.state is S.SIGNED_OUT and (a.parked or a.agent_id in self._agent_lines):
                found.append(f"{a.agent_id}: signed out but still holding work")
        for cid, places in where.items():
            if len(places) != 1:
                found.append(f"{cid}: in {len(places)} places {places}")
            if cid not in self._contacts:
                found.append(f"{cid}: referenced but ended")
        for cid, contact in self._contacts.items():
            if cid not in where:
                found.append(f"{cid}: live but nowhere")
            elif contact.stage is Stage.QUEUED and not where[cid][0].startswith("queue:"):
                found.append(f"{cid}: queued but at {where[cid]}")
        return found

    # ------------------------------------------------------------------ internals

    def _move(
        self,
        agent: Agent,
        to: AgentState,
        *,
        reason: str | None = None,
        contact_id: str | None = None,
    ) -> AcdEvent:
        event = agent.move(to, at=self._clock(), reason=reason, contact_id=contact_id)
        self._ready.discard(agent.agent_id)
        self._working.discard(agent.agent_id)
        if to is S.READY:
            self._ready.add(agent.agent_id, agent.skills, agent.idle_since)
        elif to is S.ON_CALL and self._settings.blend and not agent.blend_paused:
            current = self._contacts[agent.contact_id or ""]
            if not current.is_call:
                self._working.add(agent.agent_id, agent.skills, self._clock())
        return event

    def _current(self, agent: Agent, to: AgentState) -> Contact:
        if agent.state is not S.ON_CALL:
            raise IllegalTransition(
                agent_id=agent.agent_id, from_state=agent.state.value, to_state=to.value
            )
        return self._contacts[agent.contact_id or ""]

    def _contact_event(
        self, type_: str, contact: Contact, *, agent: str | None = None, **data: object
    ) -> ContactEvent:
        return ContactEvent(
            type=type_,
            at=self._clock(),
            contact_id=contact.contact_id,
            channel=contact.channel.value,
            queue=contact.queue_id,
            agent=agent if agent is not None else contact.agent_id,
            data=data,
        )

    def _ended_event(self, contact: Contact, *, by: str, now: float) -> ContactEvent:
        talk = contact.work_s
        if contact.stage in (Stage.CONNECTED, Stage.HELD):
            talk += now - contact.answered_at
        hold = contact.hold_total
        if contact.stage is Stage.HELD:
            hold += now - contact.hold_started
        return self._contact_event(
            "contact.ended", contact, by=by, talk_s=max(0.0, talk - hold), hold_s=hold
        )

    def _no_answer_event(self, contact: Contact, agent: Agent) -> ContactEvent:
        return self._contact_event(
            "agent.no_answer",
            contact,
            agent=agent.agent_id,
            rang_s=self._clock() - contact.offered_at,
        )

    def _end(self, contact: Contact, *, by: str) -> list[AcdEvent]:
        now = self._clock()
        agent = self._agents[contact.agent_id or ""]
        ended = self._ended_event(contact, by=by, now=now)
        del self._contacts[contact.contact_id]
        handled = float(ended.data["talk_s"]) + float(ended.data["hold_s"])
        self._wraps[agent.agent_id] = _Wrap(
            contact.contact_id, contact.queue_id, contact.channel, handled
        )
        return [ended, self._move(agent, S.WRAP_UP, contact_id=contact.contact_id)]

    def _finish_wrapup(
        self, agent: Agent, *, then: AgentState, reason: str | None, forced: bool
    ) -> list[AcdEvent]:
        if then not in (S.READY, S.NOT_READY):
            raise IllegalTransition(
                agent_id=agent.agent_id, from_state=agent.state.value, to_state=then.value
            )
        now = self._clock()
        wrap = self._wraps.pop(agent.agent_id)
        wrapup_s = now - agent.since
        if wrap.handled_s > 0:
            self._handle[wrap.queue_id].add(wrap.handled_s + wrapup_s)
        events: list[AcdEvent] = [
            ContactEvent(
                type="wrapup.ended",
                at=now,
                contact_id=wrap.contact_id,
                channel=wrap.channel.value,
                queue=wrap.queue_id,
                agent=agent.agent_id,
                data={"wrapup_s": wrapup_s, "forced": forced},
            )
        ]
        if agent.parked:
            back = self._contacts[agent.parked.pop()]
            events.append(self._resume(agent, back))
            return events + self._serve_working(agent)
        agent.blend_paused = False
        if then is S.NOT_READY:
            events.append(self._move(agent, S.NOT_READY, reason=reason or "after_wrapup"))
            return events
        agent.idle_since = now
        events.append(self._move(agent, S.READY))
        return events + self._serve_agent(agent)

    def _resume(self, agent: Agent, contact: Contact) -> AcdEvent:
        """Back to a mail or fax (parked, or under a call offer that did not connect)."""
        contact.stage = Stage.CONNECTED
        contact.answered_at = self._clock()
        agent.interrupted = None
        return self._move(agent, S.ON_CALL, contact_id=contact.contact_id)

    def _interrupted_contact(self, agent: Agent) -> Contact | None:
        if agent.interrupted is None:
            return None
        return self._contacts[agent.interrupted]

    def _return_parked(self, agent: Agent) -> list[AcdEvent]:
        events: list[AcdEvent] = []
        while agent.parked:
            events += self._requeue(self._contacts[agent.parked.pop()])
        return events

    def _forget_lines(self, agent_id: str) -> None:
        calls, work = self._agent_lines.pop(agent_id, ([], []))
        for q in (*calls, *work):
            self._queue_agents[q].discard(agent_id)

    def _requeue(self, contact: Contact) -> list[AcdEvent]:
        """Back into its queue at its old place (head if it was first)."""
        now = self._clock()
        if contact.stage in (Stage.CONNECTED, Stage.HELD):
            contact.work_s += now - contact.answered_at
        if contact.stage is Stage.HELD:
            contact.hold_total += now - contact.hold_started
        contact.stage = Stage.QUEUED
        contact.agent_id = None
        self._lines[contact.queue_id].push(contact.contact_id, contact.key)
        self._arm_queue_timers(contact)
        return self._serve_contact(contact)

    def _arm_queue_timers(self, contact: Contact) -> None:
        config = self._queues[contact.queue_id]
        if config.overflow is not None:
            due = contact.entered_at + config.overflow.after_s
            self._timer(due, "overflow", contact.contact_id, float(contact.key[2]))
        if config.announce_every_s is not None and contact.next_announce is None:
            contact.next_announce = self._clock() + config.announce_every_s
            self._timer(
                contact.next_announce, "announce", contact.contact_id, contact.next_announce
            )

    def _timer(self, due: float, kind: str, ident: str, token: float) -> None:
        self._seq += 1
        heapq.heappush(self._timers, (due, self._seq, kind, ident, token))

    def _timer_live(self, kind: str, ident: str, token: float) -> bool:
        if kind == "ring":
            agent = self._agents.get(ident)
            if agent is None or agent.state is not S.OFFERED:
                return False
            contact = self._contacts.get(agent.contact_id or "")
            return contact is not None and contact.offered_at == token
        contact = self._contacts.get(ident)
        if contact is None or contact.stage is not Stage.QUEUED:
            return False
        if kind == "overflow":
            overflow = self._queues[contact.queue_id].overflow
            return overflow is not None and float(contact.key[2]) == token
        return contact.next_announce == token

    def _overflow(self, contact: Contact) -> list[AcdEvent]:
        source = self._queues[contact.queue_id]
        assert source.overflow is not None
        target = self._queues[source.overflow.to_queue]
        now = self._clock()
        self._lines[source.queue_id].remove(contact.contact_id)
        event = self._contact_event(
            "queue.overflowed",
            contact,
            to_queue=target.queue_id,
            waited_s=now - contact.entered_at,
        )
        self._seq += 1
        contact.queue_id = target.queue_id
        contact.key = (-target.priority, contact.entered_at, self._seq)
        self._lines[target.queue_id].push(contact.contact_id, contact.key)
        self._arm_queue_timers(contact)
        return [event, *self._serve_contact(contact)]

    def _offer(self, contact: Contact, agent: Agent) -> list[AcdEvent]:
        now = self._clock()
        self._lines[contact.queue_id].remove(contact.contact_id)
        if agent.state is S.ON_CALL:
            agent.interrupted = agent.contact_id
        contact.stage = Stage.OFFERED
        contact.next_announce = None
        contact.agent_id = agent.agent_id
        contact.offered_at = now
        events: list[AcdEvent] = [
            self._contact_event(
                "agent.offered", contact, agent=agent.agent_id, waited_s=now - contact.entered_at
            ),
            self._move(agent, S.OFFERED, contact_id=contact.contact_id),
        ]
        if self._settings.ring_timeout_s is not None:
            self._timer(now + self._settings.ring_timeout_s, "ring", agent.agent_id, now)
        return events

    def _serve_contact(self, contact: Contact) -> list[AcdEvent]:
        """A contact just entered a line: offer it if an agent is free for it."""
        config = self._queues[contact.queue_id]
        line = self._lines[contact.queue_id]
        head = line.head()
        if head is None or head[1] != contact.contact_id:
            return []
        agent_id = self._ready.best(config.need)
        if agent_id is None and contact.is_call and self._settings.blend:
            agent_id = self._working.best(config.need)
        if agent_id is None:
            return []
        return self._offer(contact, self._agents[agent_id])

    def _serve_agent(self, agent: Agent) -> list[AcdEvent]:
        """An agent just became ready: offer the best waiting call, else a mail or fax."""
        calls, work = self._agent_lines.get(agent.agent_id, ([], []))
        for lines in (calls, work):
            chosen = self._best_head(lines)
            if chosen is not None:
                return self._offer(self._contacts[chosen], agent)
        return []

    def _serve_working(self, agent: Agent) -> list[AcdEvent]:
        """An agent started or resumed a mail or fax: a waiting call may interrupt it."""
        if agent.agent_id not in self._working:
            return []
        chosen = self._best_head(self._agent_lines.get(agent.agent_id, ([], []))[0])
        return [] if chosen is None else self._offer(self._contacts[chosen], agent)

    def _best_head(self, queue_ids: list[str]) -> str | None:
        best: tuple[tuple[int, float, int], str] | None = None
        for q in queue_ids:
            head = self._lines[q].head()
            if head is not None and (best is None or head < best):
                best = head
        return None if best is None else best[1]
