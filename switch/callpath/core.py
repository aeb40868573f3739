"""The call path at run time: one ACD engine, the live calls, events to the log and the desks.

A single process runs the ACD (``CallPath``). Every engine call is synchronous and happens on
the event loop, so the engine's state never needs a lock; what it returns is appended to the
contact log (cms) and pushed live (agent desk room ``user:<id>`` on /agent, everything on
/supervisor). Scale-out is a later step: the seam is :meth:`CallPath.apply` (events out) and the
engine calls (commands in); a leader-elected runner would own them (docs/callpath.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid as uuid_mod
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from cms.events import Channel, EventType
from cms.service import NewEvent
from crm.interactions.models import Interaction
from realtime.audit import service as audit
from realtime.auth.service import Principal
from realtime.timeutil import utcnow
from switch.acd.agents import AgentState
from switch.acd.announce import Announcement
from switch.acd.engine import Engine, EngineSettings, HistorySaved, Stage
from switch.acd.errors import HistoryNotSaved, IllegalTransition, ReasonRequired, UnknownAgent
from switch.acd.events import AcdEvent, AgentStateChanged, ContactEvent
from switch.callpath import cti, durable, wrapup_hook
from switch.callpath.callback import callbacks_of
from switch.callpath.config import CallPathConfig, MenuNode, load_config
from switch.callpath.errors import NoOffer, PhoneUnreachable, SwitchUnavailable, UnknownConfig
from switch.callpath.recorder import Recorder
from switch.callpath.survey import surveys_of
from switch.connection.errors import OriginateFailed, SwitchError
from switch.connection.events import SwitchEvent
from switch.scaleout.forward import forward_to_leader
from wfm.adherence.live import wake as wake_adherence

if TYPE_CHECKING:
    from realtime.http.context import AppContext
    from switch.subsystem import SwitchSubsystem

log = logging.getLogger(__name__)

S = AgentState
MOH = "local_stream://moh"
SEEN_MEMORY = 10_000
POP_CONTENT_TTL_S = 30.0
"""How long a menu's talk script and FAQ entry points are reused for screen pops."""


@dataclass
class LiveCall:
    """One call the call path is handling (until its end and its recording are logged)."""

    contact_id: str
    caller_uuid: str
    did: str
    line_name: str
    received_at: float
    menu: MenuNode | None = None
    queue_id: str | None = None
    agent: str | None = None
    agent_uuid: str | None = None
    accepting: bool = False
    bridged: bool = False
    guidance: bool = False
    ended: bool = False
    announcements: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)


class CallPath:
    """The ACD runner, the CTI pushes and the end-of-call bookkeeping of one process."""

    name = "callpath"

    def __init__(self, ctx: AppContext, switch: SwitchSubsystem) -> None:
        self.ctx = ctx
        self.switch = switch
        settings = ctx.settings
        self.ring_timeout_s = settings.callpath_ring_timeout_s
        self.overflow_dial = settings.callpath_overflow_dial
        self.sounds_dir = settings.data_dir / "sounds"
        self.spool_dir = settings.data_dir / "recordings-spool"
        self.wall_clock: Callable[[], datetime] = utcnow
        """Time the calendar decides by (tests replace it to be on a holiday, at night...)."""
        self.clock: Callable[[], float] = time.monotonic
        self.scale = 1.0
        self.calls: dict[str, LiveCall] = {}
        self.by_uuid: dict[str, str] = {}
        self.seen: OrderedDict[str, str] = OrderedDict()
        """Caller channel UUID -> contact id of recent calls (which contact was channel X)."""
        self.pops: dict[str, dict[str, Any]] = {}
        self.recordings: dict[str, LiveCall] = {}
        self.recorder = Recorder(self)
        self.user_ids: dict[str, int] = {}
        self.engine = Engine(queues=(), clock=self._now)
        self._signature: tuple[Any, ...] | None = None
        self._config: CallPathConfig | None = None
        self._wake = asyncio.Event()
        self._timer_task: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._pending_log: asyncio.Future[None] | None = None
        self._pop_content: dict[Any, tuple[float, cti.MenuContent]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.hangup_hooks: list[Callable[[LiveCall, str], Awaitable[bool]]] = []
        """Asked first about a hang-up of a call's channel; True: handled (transfers)."""

    # ------------------------------------------------------------------ lifecycle

    def _now(self) -> float:
        return self.clock()

    async def start(self) -> None:
        """Load the configuration, build the ACD, take over the switch's calls and events."""
        from switch.callpath.flow import IvrFlow

        self._loop = asyncio.get_running_loop()
        standin = self.switch.standin
        if standin is not None:
            self.clock = standin.clock.now
            self.scale = standin.clock.scale
        else:
            self.clock = time.monotonic
        config = await self.load()
        self._rebuild(config)
        for agent in config.agents.values():
            if standin is not None:
                standin.register_agent(agent.extension, auto_answer=True, answer_delay=0.5)
        self.switch.set_session_handler(IvrFlow(self).handle)
        client = self.switch.client
        client.add_handler("CHANNEL_HANGUP", self._on_hangup_event)
        client.add_handler("CHANNEL_HANGUP_COMPLETE", self._on_hangup_event)
        client.add_handler("RECORD_STOP", self.recorder.on_record_stop)
        wrapup_hook.listen(self.ctx.db.engine, self._history_committed)
        self._timer_task = asyncio.create_task(self._run_timers())
        self._started = True
        self.spawn(self.recorder.sweep_forever())  # recordings left by a killed process

    async def stop(self) -> None:
        """Stop the timers and forget the hooks (calls in FreeSWITCH are not touched)."""
        self._started = False
        pending = self._pending_log
        if pending is not None and not pending.done():  # the last contact-log writes land
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(pending), 10)
        wrapup_hook.forget(self.ctx.db.engine)
        client = self.switch.client
        client.remove_handler("CHANNEL_HANGUP", self._on_hangup_event)
        client.remove_handler("CHANNEL_HANGUP_COMPLETE", self._on_hangup_event)
        client.remove_handler("RECORD_STOP", self.recorder.on_record_stop)
        for task in [self._timer_task, self.recorder.retry_task, *self._tasks]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def spawn(self, coro: Awaitable[Any]) -> None:
        """Run a background step, keeping a reference and logging its failure."""

        async def run() -> None:
            try:
                await coro
            except Exception:
                log.exception("call path step failed")

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ configuration

    async def load(self) -> CallPathConfig:
        """The configuration as stored now; applies queue changes once the ACD is idle."""

        def read() -> CallPathConfig:
            with self.ctx.db.session() as session:
                return load_config(session)

        config = await durable.read_config(self.ctx, read, self._config)
        self._config = config
        if self._signature is not None and config.queue_signature() != self._signature:
            self._rebuild(config)
        return config

    def _quiet(self) -> bool:
        busy = (S.OFFERED, S.ON_CALL, S.HELD, S.WRAP_UP)
        return not self.engine.contacts() and not any(
            a.state in busy for a in self.engine.agents().values()
        )

    def _rebuild(self, config: CallPathConfig) -> None:
        """A new engine for new queues or skills, keeping who is signed in (only when idle)."""
        if self._signature is not None and not self._quiet():
            return
        old = self.engine
        self.engine = Engine(
            queues=config.queues,
            clock=self._now,
            settings=EngineSettings(ring_timeout_s=self.ring_timeout_s),
        )
        self._signature = config.queue_signature()
        for agent in old.agents().values():
            profile = config.agents.get(agent.agent_id)
            if profile is None or agent.state is S.SIGNED_OUT:
                continue
            ready = agent.state is S.READY
            self.engine.sign_in(agent_id=agent.agent_id, skills=profile.skills, ready=ready)
            if not ready and agent.reason and agent.reason != "signed_in":
                self.engine.set_not_ready(agent_id=agent.agent_id, reason=agent.reason)
        self._wake.set()

    def sound(self, key: str) -> str:
        """The path FreeSWITCH plays for a guidance key."""
        config = self._config
        name = config.sounds.get(key) if config is not None else None
        return str(self.sounds_dir / (name or f"{key}.wav"))

    # ------------------------------------------------------------------ events out

    async def log_events(self, events: list[NewEvent]) -> None:
        """Append to the contact log (in order; committed before returning)."""
        if events:
            await self._chain(events)

    def log_soon(self, events: list[NewEvent]) -> None:
        """Append to the contact log in order without waiting for the disk (for steps whose
        next action does not depend on the write: a menu choice must not delay the pop)."""
        task = self._chain(events)
        self._tasks.add(task)
        task.add_done_callback(self._log_written)

    def _chain(self, events: list[NewEvent]) -> asyncio.Task[None]:
        """An append queued behind the previous one, so the log keeps the order of the calls."""
        previous = self._pending_log

        async def write() -> None:
            if previous is not None and not previous.done():
                with contextlib.suppress(Exception):  # its failure is reported where it ran
                    await asyncio.shield(previous)
            async with self._write_lock:
                await durable.append(self.ctx, events)

        task = asyncio.create_task(write())
        self._pending_log = task
        return task

    def _log_written(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("contact log write failed: %s", task.exception())

    def contact_event(
        self, call: LiveCall, type_: EventType, payload: dict[str, Any], *, agent: str | None = None
    ) -> NewEvent:
        """A contact-log event about ``call``."""
        return NewEvent(
            type=type_,
            occurred_at=utcnow(),
            contact_id=call.contact_id,
            channel=Channel.CALL,
            line=call.did,
            queue=call.queue_id,
            agent=agent,
            source="callpath",
            payload=payload,
        )

    def _to_cms(self, event: AcdEvent) -> NewEvent:
        if isinstance(event, AgentStateChanged):
            return NewEvent(
                type=EventType.AGENT_STATE_CHANGED,
                occurred_at=utcnow(),
                contact_id=event.contact_id,
                agent=event.agent,
                source="acd",
                payload=event.payload(),
            )
        call = self.calls.get(event.contact_id)
        return NewEvent(
            type=EventType(event.type),
            occurred_at=utcnow(),
            contact_id=event.contact_id,
            channel=Channel(event.channel),
            line=call.did if call is not None else None,
            queue=event.queue,
            agent=event.agent,
            source="acd",
            payload=event.payload(),
        )

    async def apply(self, events: list[AcdEvent], *, history_logged: bool = False) -> None:
        """Log and push what the engine returned; offers become screen pops."""
        if history_logged:
            # crm's save_history already logged wrapup.ended with the work type and resolution.
            events = [
                e for e in events if not (isinstance(e, ContactEvent) and e.type == "wrapup.ended")
            ]
        # Desks and boards hear of it while the log commits (a screen pop does not wait for
        # the disk); the write lock, taken in turn, keeps the log in order.
        logged = asyncio.ensure_future(self.log_events([self._to_cms(e) for e in events]))
        try:
            for event in events:  # the offered agent's screen pop before anything else
                if (
                    isinstance(event, ContactEvent)
                    and event.type == "agent.offered"
                    and event.agent
                ):
                    await self._screen_pop(
                        event.contact_id, event.agent, float(event.data["waited_s"])
                    )
            for event in events:
                await self._push(event)
        finally:
            await logged
        self._wake.set()

    async def _push(self, event: AcdEvent) -> None:
        hub = self.ctx.hub
        if isinstance(event, AgentStateChanged):
            data = {
                "agent": event.agent,
                "state": event.state,
                "reason": event.reason,
                "contact_id": event.contact_id,
            }
            user_id = self.user_ids.get(event.agent)
            if user_id is not None:
                await hub.emit("agent_state", data, namespace="/agent", room=f"user:{user_id}")
            await hub.emit("agent_state", data, namespace="/supervisor", room="all")
            wake_adherence(self.ctx)  # recompute this agent's adherence now (wfm/adherence/live)
            idle = (S.READY.value, S.NOT_READY.value, S.SIGNED_OUT.value)
            if event.state in idle and event.contact_id is None:
                self._forget_pops(event.agent)
            return
        await hub.emit(
            "contact_event",
            {
                "type": event.type,
                "contact_id": event.contact_id,
                "queue": event.queue,
                "agent": event.agent,
                "payload": dict(event.data),
            },
            namespace="/supervisor",
            room="all",
        )
        if event.type in ("agent.no_answer", "contact.abandoned") and event.agent is not None:
            shown = self.pops.get(event.contact_id)
            if shown is not None and shown.get("agent") == event.agent:  # not the next agent's
                self.pops.pop(event.contact_id, None)
            user_id = self.user_ids.get(event.agent)
            if user_id is not None:
                await hub.emit(
                    "offer_withdrawn",
                    {"contact_id": event.contact_id, "reason": event.type},
                    namespace="/agent",
                    room=f"user:{user_id}",
                )

    def _forget_pops(self, agent: str) -> None:
        for cid in [c for c, p in self.pops.items() if p.get("agent") == agent]:
            self.pops.pop(cid, None)

    async def _menu_content(self, menu: MenuNode | None) -> cti.MenuContent:
        """A menu's script and FAQ entry points, read at most every ``POP_CONTENT_TTL_S`` (a
        screen pop must not wait for the database; edits show within that time)."""
        key = (menu.menu_key, menu.script_work_type, menu.faq_category) if menu else None
        now = time.monotonic()
        cached = self._pop_content.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]

        def read() -> cti.MenuContent:
            with self.ctx.db.session() as session:
                return cti.menu_content(session, menu=menu)

        content = await self.ctx.db.run(read)
        self._pop_content[key] = (now + POP_CONTENT_TTL_S, content)
        return content

    async def _screen_pop(self, contact_id: str, agent: str, waited_s: float) -> None:
        call = self.calls.get(contact_id)
        if call is None or call.queue_id is None:
            return
        labels = self._config.queue_labels if self._config else {}
        contact = self.engine.contact(contact_id)
        if contact is not None:
            call.queue_id = contact.queue_id  # after an overflow: the wider queue
        call_menu, did, line_name = call.menu, call.did, call.line_name
        queue_id = call.queue_id
        content = await self._menu_content(call_menu)
        pop = cti.pop_payload(
            content,
            contact_id=contact_id,
            did=did,
            line_name=line_name,
            menu=call_menu,
            queue_id=queue_id,
            queue_label=labels.get(queue_id, queue_id),
            waited_s=waited_s,
        )
        pop["ring_timeout_s"] = self.ring_timeout_s
        self.pops[contact_id] = {**pop, "agent": agent}
        user_id = self.user_ids.get(agent)
        if user_id is not None:
            await self.ctx.hub.emit("screen_pop", pop, namespace="/agent", room=f"user:{user_id}")

    # ------------------------------------------------------------------ timers

    async def _run_timers(self) -> None:
        """Ring timeouts, overflows and announcements, on the engine's clock."""
        while True:
            due = self.engine.next_deadline()
            self._wake.clear()
            if due is None or due > self._now():
                wait = None if due is None else max(0.0, (due - self._now()) * self.scale)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            result = self.engine.tick()
            try:
                await self.apply(result.events)
                for said in result.announcements:
                    await self._announce(said)
            except Exception:
                log.exception("ACD tick handling failed")

    async def _announce(self, said: Announcement) -> None:
        """Play the position and expected wait to a waiting caller (uuid_broadcast)."""
        call = self.calls.get(said.contact_id)
        if call is None or call.ended:
            return
        call.announcements += 1
        position = min(said.position, 10)
        files = [self.sound(f"position_{position}")]
        if said.expected_wait_s is not None:
            minutes = min(30, max(1, int(-(-said.expected_wait_s // 60))))
            files.append(self.sound(f"wait_{minutes}min"))
        else:
            files.append(self.sound("queue_wait"))
        files += await callbacks_of(self).announcement_files(call, said)
        files.append(MOH)
        for path in files:
            with contextlib.suppress(SwitchError):
                await self.switch.control.broadcast(uuid=call.caller_uuid, path=path)

    # ------------------------------------------------------------------ agents

    def _profile_skills(self, username: str) -> dict[str, int]:
        config = self._config
        profile = config.agents.get(username) if config is not None else None
        if profile is None:
            raise UnknownConfig(kind="agent", key=username)
        return dict(profile.skills)

    def _state_of(self, username: str) -> AgentState:
        try:
            return self.engine.agent(username).state
        except UnknownAgent:
            return S.SIGNED_OUT

    async def _history_exists(self, contact_id: str, agent: str) -> bool:
        def find() -> bool:
            with self.ctx.db.session() as session:
                stmt = select(Interaction.id).where(
                    col(Interaction.contact_id) == contact_id, col(Interaction.agent) == agent
                )
                return session.exec(stmt).first() is not None

        return bool(await self.ctx.db.run(find))

    @forward_to_leader("set_state")
    async def set_state(
        self, principal: Principal, *, state: str, reason: str | None = None
    ) -> dict[str, Any]:
        """The agent's own state change: ready, not_ready (with a reason) or signed_out."""
        username = principal.username
        self.user_ids[username] = principal.user_id
        await self.load()
        current = self._state_of(username)
        events: list[AcdEvent] = []
        history_logged = False
        if state not in ("ready", "not_ready", "signed_out"):
            raise IllegalTransition(
                agent_id=username, from_state=current.value, to_state=state[:20]
            )
        if state == "not_ready" and not (reason or "").strip():
            raise ReasonRequired(agent_id=username)
        reason = (reason or "").strip()[:32] or None
        if current is S.SIGNED_OUT:
            if state == "signed_out":
                return self.agent_view(username)
            skills = self._profile_skills(username)
            events += self.engine.sign_in(agent_id=username, skills=skills, ready=state == "ready")
            if state == "not_ready" and reason:
                events += self.engine.set_not_ready(agent_id=username, reason=reason)
        elif current is S.WRAP_UP:
            agent = self.engine.agent(username)
            contact_id = agent.contact_id or ""
            if state == "signed_out" or not await self._history_exists(contact_id, username):
                raise HistoryNotSaved(agent_id=username, contact_id=contact_id, receipt_for=None)
            then = S.READY if state == "ready" else S.NOT_READY
            events += self.engine.end_wrapup(
                agent_id=username,
                receipt=HistorySaved(contact_id=contact_id, agent_id=username),
                then=then,
                reason=reason,
            )
            history_logged = True
        elif state == "ready":
            events += self.engine.set_ready(agent_id=username)
        elif state == "not_ready":
            events += self.engine.set_not_ready(agent_id=username, reason=reason or "break")
        else:
            events += self.engine.sign_out(agent_id=username)
        await self.apply(events, history_logged=history_logged)
        return self.agent_view(username)

    def agent_view(self, username: str) -> dict[str, Any]:
        """The agent's state and current contact, as the desk shows them."""
        try:
            agent = self.engine.agent(username)
        except UnknownAgent:
            return {"state": S.SIGNED_OUT.value, "reason": None, "contact": None}
        pop = self.pops.get(agent.contact_id or "") if agent.contact_id else None
        contact = None
        if pop is not None:
            contact = {k: v for k, v in pop.items() if k != "agent"}
            call = self.calls.get(agent.contact_id or "")
            contact["connected"] = bool(call is not None and call.bridged and not call.ended)
        return {"state": agent.state.value, "reason": agent.reason, "contact": contact}

    @forward_to_leader("agent_snapshot", local_fallback=True)
    async def agent_snapshot(self, principal: Principal) -> dict[str, Any]:
        """The /agent snapshot part: state and current call (after a reconnect too)."""
        self.user_ids[principal.username] = principal.user_id
        return {"callpath": self.agent_view(principal.username)}

    @forward_to_leader("supervisor_snapshot", local_fallback=True)
    async def supervisor_snapshot(self, _principal: Principal) -> dict[str, Any]:
        """The /supervisor snapshot part: agents and queues now."""
        return {"callpath": self.live_view()}

    def live_view(self) -> dict[str, Any]:
        """Agents' states and each queue's waiting contacts."""
        queues = self._config.queue_labels if self._config else {}
        return {
            "agents": {
                a.agent_id: {"state": a.state.value, "reason": a.reason, "contact_id": a.contact_id}
                for a in self.engine.agents().values()
            },
            "queues": {
                q: {
                    "label": label,
                    "waiting": len(self.engine.waiting(q)),
                    "longest_wait_s": self._longest_wait(q),
                }
                for q, label in queues.items()
                if q in self._engine_queues()
            },
            "calls": len([c for c in self.calls.values() if not c.ended]),
        }

    def _longest_wait(self, queue_id: str) -> float:
        """Seconds the first caller in the queue has waited (0 when nobody waits)."""
        contacts = self.engine.contacts()
        now = self._now()
        waits = [
            now - contacts[c].entered_at for c in self.engine.waiting(queue_id) if c in contacts
        ]
        return round(max(waits, default=0.0), 1)

    def _engine_queues(self) -> set[str]:
        return {q.queue_id for q in (self._config.queues if self._config else ())}

    def socket_left(self, user_id: int, *, still_connected: bool) -> None:
        """An agent's desk socket closed: a ringing offer goes to the next agent at once.

        An agent on a call keeps it (the phone is separate; the desk reconnects and gets its
        snapshot back); a ready agent is signed out so nothing more is offered to a closed desk.
        """
        if still_connected:
            return
        username = next((u for u, i in self.user_ids.items() if i == user_id), None)
        if username is None:
            return
        state = self._state_of(username)
        if state in (S.OFFERED, S.READY, S.NOT_READY):
            if state is S.OFFERED:
                call = self.calls.get(self.engine.agent(username).contact_id or "")
                if call is not None and call.accepting:
                    return
            self.spawn(self.apply(self.engine.disconnect(agent_id=username)))

    @forward_to_leader("accept")
    async def accept(self, principal: Principal) -> dict[str, Any]:
        """The agent accepts the offer: ring its phone with auto-answer, bridge, record."""
        username = principal.username
        self.user_ids[username] = principal.user_id
        if self._state_of(username) is not S.OFFERED:
            raise NoOffer(agent=username)
        contact_id = self.engine.agent(username).contact_id or ""
        call = self.calls.get(contact_id)
        if call is None or call.accepting or call.ended:
            raise NoOffer(agent=username)
        config = self._config
        profile = config.agents.get(username) if config is not None else None
        if profile is None:
            raise UnknownConfig(kind="agent", key=username)
        call.accepting = True
        agent_uuid = str(uuid_mod.uuid4())
        try:
            await self.switch.control.originate(
                uuid=agent_uuid,
                endpoint=f"user/{profile.extension}",
                auto_answer=True,
                caller_id_name="Madoguchi",
                caller_id_number="".join(c for c in call.did if c.isdigit()) or None,
                variables={"madoguchi_contact_id": contact_id},
                timeout_s=30,
            )
        except OriginateFailed as exc:
            call.accepting = False
            if self._still_offered(username, contact_id):
                await self.apply(self.engine.offer_timeout(agent_id=username))
            raise PhoneUnreachable(agent=username, cause=exc.reason) from None
        except (SwitchError, OSError) as exc:
            call.accepting = False
            raise SwitchUnavailable(cause=str(exc)[:100]) from None
        if not self._still_offered(username, contact_id) or call.ended:
            call.accepting = False
            await self._kill(agent_uuid)
            raise NoOffer(agent=username)
        call.agent, call.agent_uuid = username, agent_uuid
        self.by_uuid[agent_uuid] = contact_id
        try:
            await self.switch.control.bridge(uuid=call.caller_uuid, other_uuid=agent_uuid)
        except SwitchError:
            call.accepting = False
            await self._kill(agent_uuid)
            await self.caller_gone(call)
            raise NoOffer(agent=username) from None
        call.bridged = True
        call.accepting = False
        await self.apply(self.engine.accept(agent_id=username))
        await surveys_of(self).on_bridged(call)
        path = self.spool_dir / f"{contact_id}.wav"
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self.recordings[str(path)] = call
        try:
            await self.switch.control.record_start(uuid=call.caller_uuid, path=str(path))
        except SwitchError:
            self.recordings.pop(str(path), None)
            log.warning("recording could not start for contact %s", contact_id)
        return self.agent_view(username)

    def _still_offered(self, username: str, contact_id: str) -> bool:
        agent = self.engine.agent(username)
        return agent.state is S.OFFERED and agent.contact_id == contact_id

    async def _kill(self, uuid: str) -> None:
        with contextlib.suppress(SwitchError):
            await self.switch.control.kill(uuid=uuid)

    @forward_to_leader("force_wrapup")
    async def force_wrapup(
        self, supervisor: Principal, *, agent: str, reason: str
    ) -> dict[str, Any]:
        """A supervisor ends an agent's wrap-up without the history (audited)."""
        if not reason.strip():
            raise ReasonRequired(agent_id=agent)
        if self._state_of(agent) is not S.WRAP_UP:
            raise IllegalTransition(
                agent_id=agent, from_state=self._state_of(agent).value, to_state="not_ready"
            )
        forced = self.engine.force_end_wrapup(
            agent_id=agent, supervisor_id=supervisor.username, reason=reason.strip()[:200]
        )

        def record() -> None:
            with self.ctx.db.session() as session:
                audit.record(
                    session,
                    actor=supervisor.username,
                    action="wrapup-forced",
                    target=agent,
                    detail={
                        "contact_id": forced.contact_id or "",
                        "reason": forced.reason,
                        "wrapup_s": round(forced.wrapup_s, 1),
                    },
                )

        await self.ctx.db.run(record)
        await self.apply(forced.events)
        return self.agent_view(agent)

    # ------------------------------------------------------------------ call ends

    def _history_committed(self, contact_id: str, agent: str) -> None:
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(lambda: self.spawn(self._history_saved(contact_id, agent)))

    async def _history_saved(self, contact_id: str, agent: str) -> None:
        """crm saved the history: the receipt ends wrap-up (the agent becomes ready)."""
        try:
            current = self.engine.agent(agent)
        except UnknownAgent:
            return
        if current.state is not S.WRAP_UP or current.contact_id != contact_id:
            return
        events = self.engine.end_wrapup(
            agent_id=agent, receipt=HistorySaved(contact_id=contact_id, agent_id=agent)
        )
        await self.apply(events, history_logged=True)

    async def _on_hangup_event(self, event: SwitchEvent) -> None:
        uuid = event.unique_id or ""
        contact_id = self.by_uuid.get(uuid)
        call = self.calls.get(contact_id or "")
        if call is None:
            return
        for hook in list(self.hangup_hooks):
            if await hook(call, uuid):
                return
        if uuid == call.caller_uuid:
            await self.caller_gone(call)
        elif uuid == call.agent_uuid:
            await self.agent_gone(call)
        if event.synthetic:
            # Reconciled after an ESL outage: the RECORD_STOP of this call was missed.
            for path, owner in list(self.recordings.items()):
                if owner is call:
                    self.spawn(self.recorder.store(path, None))

    async def caller_gone(self, call: LiveCall) -> None:
        """The caller hung up (or the switch lost the channel); idempotent."""
        if call.ended:
            return
        call.ended = True
        events: list[NewEvent] = []
        if self.engine.contact(call.contact_id) is not None:
            acd = self.engine.hangup(contact_id=call.contact_id)
            await self.apply(acd)
        elif call.queue_id is None and not call.bridged:
            waited = max(0.0, self._now() - call.received_at)
            if call.guidance:
                events.append(self.contact_event(call, EventType.CONTACT_ENDED, {"by": "caller"}))
            else:
                events.append(
                    self.contact_event(
                        call,
                        EventType.CONTACT_ABANDONED,
                        {"stage": "ivr", "waited_s": round(waited, 3)},
                    )
                )
        await self.log_events(events)
        if call.agent_uuid is not None:
            await self._kill(call.agent_uuid)
        self._finish(call)

    async def agent_gone(self, call: LiveCall) -> None:
        """The agent's phone hung up first: the contact ends, the agent goes to wrap-up."""
        if call.ended:
            return
        call.ended = True
        agent = call.agent
        if agent is not None and self._state_of(agent) in (S.ON_CALL, S.HELD):
            await self.apply(self.engine.end_contact(agent_id=agent))
        if surveys_of(self).take_over(call):
            return
        with contextlib.suppress(SwitchError):
            await self.switch.control.kill(uuid=call.caller_uuid)
        self._finish(call)

    async def system_end(self, call: LiveCall) -> None:
        """The IVR ended the call itself (after guidance, or an overflow to another site)."""
        if call.ended:
            return
        call.ended = True
        await self.log_events([self.contact_event(call, EventType.CONTACT_ENDED, {"by": "system"})])
        self._finish(call)

    def release(self, call: LiveCall) -> None:
        """A call handed over to a department (transfers): no longer ours; its legs go on."""
        call.ended = True
        self._finish(call)

    def remember(self, call: LiveCall) -> None:
        """Track a new call."""
        self.calls[call.contact_id] = call
        self.by_uuid[call.caller_uuid] = call.contact_id
        self.seen[call.caller_uuid] = call.contact_id
        while len(self.seen) > SEEN_MEMORY:
            self.seen.popitem(last=False)

    def _finish(self, call: LiveCall) -> None:
        call.done.set()
        self.by_uuid.pop(call.caller_uuid, None)
        if call.agent_uuid is not None:
            self.by_uuid.pop(call.agent_uuid, None)
        if not any(owner is call for owner in self.recordings.values()):
            self.calls.pop(call.contact_id, None)
        self._wake.set()

    def stage_of(self, contact_id: str) -> Stage | None:
        """Where a contact is in the ACD (None when not queued or already ended)."""
        contact = self.engine.contact(contact_id)
        return None if contact is None else contact.stage
