"""Call-backs (折り返し架電, R-ITEMS): offered in the queue, requested by DTMF, made by an agent.

1. A queue with ``callback_after_s`` offers a call-back when the wait is long: on joining and at
   each announcement, if nobody serves the queue, the expected wait or the time already waited
   reaches the threshold, the guidance ``callback_offer`` ("折り返しをご希望の方は1を") is played
   before the music (``callback.offered`` once per call).
2. The caller's DTMF reaches us as ``DTMF`` events of the outbound session. After the offer,
   ``1`` while still waiting (not yet offered to an agent) takes the call out of the queue (no
   abandon), queues a work item ``kind=callback`` with the caller id sealed in it
   (``crm.workqueue.request_callback``: ``callback.requested`` without the number), plays
   ``callback_accepted``, logs ``contact.ended`` by ``system`` and hangs up. Other digits are
   ignored. A caller id that is not a callable Japanese number (withheld, foreign) hears
   ``callback_unavailable`` and keeps its place.
3. The agent takes the item from the shared work queue (要対応リスト) and dials it:
   :meth:`Callbacks.dial` rings the agent's phone (auto-answer), then the citizen through
   ``MADOGUCHI_CALLPATH_CALLBACK_DIAL`` and bridges them; ``callback.result`` (reached, no
   answer, wrong number, failed; the attempt number) is logged without the number.
4. :meth:`Callbacks.close` records the agent's verdict (``callback.result`` by ``agent``) and
   closes the item, which erases the sealed number (``callback.completed``).

The number lives only in ``work_item.callback_number_enc`` (AES-GCM, purpose ``callback-number``)
until the item closes: never in events, the history, logs, audit details or pushes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid as uuid_mod
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlmodel import Session, col, select

from cms import service as cms
from cms.events import Channel, EventType
from cms.models import ContactEvent
from cms.service import NewEvent
from crm.workqueue import service as workqueue
from crm.workqueue.exceptions import AgentOnCall, ItemChanged, ItemNotFound
from crm.workqueue.models import ItemKind, ItemResult, ItemState, WorkItem
from realtime.audit import service as audit
from realtime.auth.service import Principal
from realtime.errors import MadoguchiError, ValidationFailed
from realtime.timeutil import utcnow
from switch.acd.agents import AgentState
from switch.acd.announce import Announcement
from switch.acd.engine import Stage
from switch.acd.errors import UnknownAgent
from switch.acd.events import ContactEvent as AcdContactEvent
from switch.callpath import survey
from switch.callpath.errors import PhoneUnreachable, SwitchUnavailable, UnknownConfig
from switch.connection.errors import OriginateFailed, SwitchError
from switch.connection.events import SwitchEvent
from switch.connection.outbound import OutboundSession

if TYPE_CHECKING:
    from switch.callpath.core import CallPath, LiveCall

log = logging.getLogger(__name__)

OFFER_KEY = "1"
SOUND_OFFER = "callback_offer"
SOUND_ACCEPTED = "callback_accepted"
SOUND_UNAVAILABLE = "callback_unavailable"
BUSY_REASON = "callback"
"""Not-ready reason while an agent is on a call-back call."""
Outcome = Literal["reached", "no_answer", "wrong_number", "failed"]
CLOSING: dict[str, ItemResult] = {
    "reached": ItemResult.REACHED,
    "no_answer": ItemResult.UNREACHED,
    "wrong_number": ItemResult.UNREACHED,
    "cancelled": ItemResult.CANCELLED,
}
NO_ANSWER_CAUSES = frozenset(
    {
        "NO_ANSWER",
        "NO_USER_RESPONSE",
        "USER_BUSY",
        "CALL_REJECTED",
        "ORIGINATOR_CANCEL",
        "SUBSCRIBER_ABSENT",
        "ALLOTTED_TIMEOUT",
        "PROGRESS_TIMEOUT",
        "RECOVERY_ON_TIMER_EXPIRE",
        "USER_NOT_REGISTERED",
    }
)
WRONG_NUMBER_CAUSES = frozenset(
    {"UNALLOCATED_NUMBER", "NO_ROUTE_DESTINATION", "INVALID_NUMBER_FORMAT", "NUMBER_CHANGED"}
)


class CallbackInProgress(MadoguchiError):
    """The agent is already on a call-back call."""

    error_id = "callback-in-progress"
    status_code = 409
    message_ja = "折り返し通話中です。通話を終えてから次の折り返しを行ってください。"

    def __init__(self, *, agent: str) -> None:
        super().__init__(agent=agent)


def outcome_of(cause: str) -> Outcome:
    """A failed originate's hangup cause as a call-back result (never the number)."""
    cause = cause.strip().upper()
    if cause in WRONG_NUMBER_CAUSES:
        return "wrong_number"
    if cause in NO_ANSWER_CAUSES:
        return "no_answer"
    return "failed"


def long_wait(*, threshold_s: float, expected_s: float | None, waited_s: float) -> bool:
    """Whether to offer a call-back: nobody serves the queue, or the wait reaches the threshold."""
    return expected_s is None or expected_s >= threshold_s or waited_s >= threshold_s


@dataclass
class _Watch:
    session: OutboundSession
    call: LiveCall
    offered: bool = False


@dataclass
class _Dialled:
    agent: str
    item_id: str
    contact_id: str
    agent_uuid: str
    citizen_uuid: str | None = None
    restore_ready: bool = False


class Callbacks:
    """The call-back state of one call path: waiting callers' sessions, agents dialling."""

    def __init__(self, path: CallPath) -> None:
        self.path = path
        self.watches: dict[str, _Watch] = {}
        self.dialling: dict[str, _Dialled] = {}
        self.legs: dict[str, str] = {}
        """Channel UUID of a call-back call's leg -> the agent dialling."""
        self._listening = False

    # ------------------------------------------------------------------ in the queue

    async def on_queued(self, session: OutboundSession, call: LiveCall) -> None:
        """The caller joined a queue: watch its DTMF; offer a call-back now if the wait is long."""
        survey.remember(self.path, call.contact_id, session)
        threshold = self._threshold(call)
        if threshold is None or call.contact_id in self.watches:
            return
        while not session.events.empty():  # the menu's own digits are not an answer to the offer
            session.events.get_nowait()
        watch = _Watch(session=session, call=call)
        self.watches[call.contact_id] = watch
        self.path.spawn(self._watch(watch))
        said = self.path.engine.position_and_wait(contact_id=call.contact_id)
        if said is not None and long_wait(
            threshold_s=threshold, expected_s=said.expected_wait_s, waited_s=0.0
        ):
            await self._offer(watch, waited_s=0.0)
            with contextlib.suppress(SwitchError):
                await self.path.switch.control.broadcast(
                    uuid=call.caller_uuid, path=self.path.sound(SOUND_OFFER)
                )

    async def announcement_files(self, call: LiveCall, said: Announcement) -> list[str]:
        """Guidance to add to a queue announcement: the call-back offer when the wait is long."""
        watch = self.watches.get(call.contact_id)
        threshold = self._threshold(call)
        if watch is None or threshold is None:
            return []
        contact = self.path.engine.contact(call.contact_id)
        waited = self.path.clock() - contact.entered_at if contact is not None else 0.0
        if not long_wait(threshold_s=threshold, expected_s=said.expected_wait_s, waited_s=waited):
            return []
        await self._offer(watch, waited_s=max(0.0, waited))
        return [self.path.sound(SOUND_OFFER)]

    def _threshold(self, call: LiveCall) -> float | None:
        config = self.path._config
        if config is None or call.queue_id is None:
            return None
        contact = self.path.engine.contact(call.contact_id)
        queue_id = contact.queue_id if contact is not None else call.queue_id
        return config.callback_after.get(queue_id)

    async def _offer(self, watch: _Watch, *, waited_s: float) -> None:
        if watch.offered:
            return
        watch.offered = True
        path = self.path
        await path.log_events(
            [
                path.contact_event(
                    watch.call, EventType.CALLBACK_OFFERED, {"waited_s": round(waited_s, 3)}
                )
            ]
        )

    async def _watch(self, watch: _Watch) -> None:
        """Read the caller's DTMF while it waits; ``1`` after the offer requests a call-back."""
        session, call = watch.session, watch.call
        try:
            while not call.ended and not call.bridged and session.active:
                getter = asyncio.ensure_future(session.events.get())
                done = asyncio.ensure_future(call.done.wait())
                try:
                    await asyncio.wait({getter, done}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    done.cancel()
                    if not getter.done():
                        getter.cancel()
                if not getter.done() or getter.cancelled():
                    return
                event = getter.result()
                if event.name != "DTMF" or event.unique_id != call.caller_uuid:
                    continue
                if not watch.offered or (event.get("DTMF-Digit") or "") != OFFER_KEY:
                    continue  # before the offer, or another key: the caller keeps waiting
                if await self._request(watch):
                    return
        finally:
            self.watches.pop(call.contact_id, None)

    async def _request(self, watch: _Watch) -> bool:
        """The caller pressed 1: leave the queue, queue the call-back task, end the call."""
        path, call, session = self.path, watch.call, watch.session
        contact = path.engine.contact(call.contact_id)
        if contact is None or contact.stage is not Stage.QUEUED or call.ended:
            return False  # already offered to an agent, or gone
        data = session.channel_data
        raw = (data.caller_id_number if data is not None else None) or ""
        try:
            number = workqueue.normalise_number(raw)
        except ValidationFailed:
            log.info("call %s: the caller id cannot be called back", call.contact_id)
            with contextlib.suppress(SwitchError):
                await path.switch.control.broadcast(
                    uuid=call.caller_uuid, path=path.sound(SOUND_UNAVAILABLE)
                )
            return False
        call.ended = True
        queue_id = contact.queue_id
        left = [
            e
            for e in path.engine.hangup(contact_id=call.contact_id)
            if not (isinstance(e, AcdContactEvent) and e.type == "contact.abandoned")
        ]
        await path.apply(left)
        queues = path._config.queues if path._config is not None else ()
        skill = next((q.need.group for q in queues if q.queue_id == queue_id), None)
        due = timedelta(minutes=path.ctx.settings.callpath_callback_due_minutes)

        def store() -> None:
            with path.ctx.db.session() as db:
                workqueue.request_callback(
                    db,
                    number=number,
                    box=workqueue.number_box(path.ctx.secret),
                    contact_id=call.contact_id,
                    skill=skill,
                    line=call.did,
                    due_at=utcnow() + due,
                )
                db.commit()

        try:
            async with path._write_lock:
                await path.ctx.db.run(store)
            await path.log_events(
                [path.contact_event(call, EventType.CONTACT_ENDED, {"by": "system"})]
            )
            with contextlib.suppress(SwitchError):
                await session.api("uuid_break", f"{call.caller_uuid} all")
                await session.playback(path.sound(SOUND_ACCEPTED))
                if session.active:
                    await session.hangup("NORMAL_CLEARING")
        finally:
            path._finish(call)
        return True

    # ------------------------------------------------------------------ the agent dials

    async def dial(self, principal: Principal, *, item_id: str) -> dict[str, Any]:
        """Ring the agent's phone, call the citizen and bridge them; the result is logged."""
        path = self.path
        agent = principal.username
        path.user_ids[agent] = principal.user_id
        if agent in self.dialling:
            raise CallbackInProgress(agent=agent)
        config = await path.load()
        profile = config.agents.get(agent)
        if profile is None:
            raise UnknownConfig(kind="agent", key=agent)
        state = self._state(agent)
        if state in (AgentState.OFFERED, AgentState.ON_CALL, AgentState.HELD):
            raise AgentOnCall()
        number, contact_id, line, attempt = await path.ctx.db.run(
            self._prepare, agent, item_id, path.ctx.secret
        )
        dialled = _Dialled(
            agent=agent, item_id=item_id, contact_id=contact_id, agent_uuid=str(uuid_mod.uuid4())
        )
        self.dialling[agent] = dialled
        self._listen()
        try:
            if state is AgentState.READY:
                await path.apply(path.engine.set_not_ready(agent_id=agent, reason=BUSY_REASON))
                dialled.restore_ready = True
            outcome = await self._connect(
                dialled, extension=profile.extension, number=number, line=line
            )
        except BaseException:
            await self._done(dialled)
            raise
        del number
        await self._log_result(dialled, line=line, outcome=outcome, attempt=attempt, by="switch")
        if outcome != "reached":
            await self._done(dialled)
        view = {
            "item_id": item_id,
            "contact_id": contact_id,
            "attempt": attempt,
            "outcome": outcome,
            "connected": outcome == "reached",
        }
        await self._push(agent, {**view, "state": "connected" if view["connected"] else "ended"})
        return {"ok": True, "callback": view}

    def _prepare(self, agent: str, item_id: str, secret: str) -> tuple[str, str, str | None, int]:
        """The sealed number opened for the switch only, with the attempt number (audited)."""
        with self.path.ctx.db.session() as session:
            item = _item(session, item_id)
            if (
                item.kind != ItemKind.CALLBACK.value
                or item.state != ItemState.IN_PROGRESS.value
                or item.owner != agent
                or item.callback_number_enc is None
            ):
                raise ItemChanged(item_id=item.id, state=item.state)
            number = workqueue.number_box(secret).open(item.callback_number_enc)
            attempt = _attempts(session, item.contact_id, by="switch") + 1
            audit.record(
                session,
                actor=agent,
                action="callback-dialled",
                target=item.id,
                detail={"attempt": attempt},
            )
            session.commit()
            return number, item.contact_id, item.line, attempt

    async def _connect(
        self, dialled: _Dialled, *, extension: str, number: str, line: str | None
    ) -> Outcome:
        path = self.path
        control = path.switch.control
        settings = path.ctx.settings
        self.legs[dialled.agent_uuid] = dialled.agent
        try:
            await control.originate(
                uuid=dialled.agent_uuid,
                endpoint=f"user/{extension}",
                auto_answer=True,
                caller_id_name="Madoguchi",
                variables={"madoguchi_contact_id": dialled.contact_id},
                timeout_s=30,
            )
        except OriginateFailed as exc:
            raise PhoneUnreachable(agent=dialled.agent, cause=exc.reason) from None
        except (SwitchError, OSError) as exc:
            raise SwitchUnavailable(cause=str(exc)[:100]) from None
        citizen = str(uuid_mod.uuid4())
        dialled.citizen_uuid = citizen
        self.legs[citizen] = dialled.agent
        line_digits = "".join(c for c in (line or "") if c.isdigit())
        try:
            await control.originate(
                uuid=citizen,
                endpoint=settings.callpath_callback_dial.format(number=number),
                caller_id_number=line_digits or None,
                variables={"madoguchi_contact_id": dialled.contact_id},
                timeout_s=max(5, int(path.ring_timeout_s)),
            )
        except OriginateFailed as exc:
            return outcome_of(exc.reason or "")
        except (SwitchError, OSError):
            return "failed"
        try:
            await control.bridge(uuid=dialled.agent_uuid, other_uuid=citizen)
        except SwitchError:
            return "failed"
        return "reached"

    async def _log_result(
        self, dialled: _Dialled, *, line: str | None, outcome: str, attempt: int, by: str
    ) -> None:
        await self.path.log_events(
            [
                NewEvent(
                    type=EventType.CALLBACK_RESULT,
                    occurred_at=utcnow(),
                    contact_id=dialled.contact_id,
                    channel=Channel.CALLBACK,
                    line=line,
                    agent=dialled.agent,
                    source="callpath",
                    payload={"result": outcome, "attempt": attempt, "decided_by": by},
                )
            ]
        )

    def _listen(self) -> None:
        if self._listening:
            return
        client = self.path.switch.client
        client.add_handler("CHANNEL_HANGUP", self._on_hangup)
        client.add_handler("CHANNEL_HANGUP_COMPLETE", self._on_hangup)
        self._listening = True

    async def _on_hangup(self, event: SwitchEvent) -> None:
        agent = self.legs.get(event.unique_id or "")
        dialled = self.dialling.get(agent or "")
        if dialled is not None:
            await self._done(dialled)

    async def _done(self, dialled: _Dialled) -> None:
        """A call-back call ended (or never connected): both legs down, the agent back."""
        if self.dialling.get(dialled.agent) is not dialled:
            return
        del self.dialling[dialled.agent]
        for leg in (dialled.agent_uuid, dialled.citizen_uuid):
            if leg is None:
                continue
            self.legs.pop(leg, None)
            with contextlib.suppress(SwitchError, OSError):
                await self.path.switch.control.kill(uuid=leg)
        if dialled.restore_ready:
            with contextlib.suppress(UnknownAgent):
                current = self.path.engine.agent(dialled.agent)
                if current.state is AgentState.NOT_READY and current.reason == BUSY_REASON:
                    await self.path.apply(self.path.engine.set_ready(agent_id=dialled.agent))
        await self._push(
            dialled.agent,
            {"item_id": dialled.item_id, "contact_id": dialled.contact_id, "state": "ended"},
        )

    async def _push(self, agent: str, data: dict[str, Any]) -> None:
        user_id = self.path.user_ids.get(agent)
        if user_id is not None:
            await self.path.ctx.hub.emit(
                "callback_state", data, namespace="/agent", room=f"user:{user_id}"
            )

    def _state(self, agent: str) -> AgentState:
        try:
            return self.path.engine.agent(agent).state
        except UnknownAgent:
            return AgentState.SIGNED_OUT

    # ------------------------------------------------------------------ closing

    async def close(self, principal: Principal, *, item_id: str, outcome: str) -> dict[str, Any]:
        """The agent's verdict; closing the item erases the number (``callback.completed``)."""
        if outcome not in CLOSING:
            raise ValidationFailed(
                fields={"outcome": "reached・no_answer・wrong_number・cancelled のいずれかです。"}
            )
        agent = principal.username
        dialled = self.dialling.get(agent)
        if dialled is not None and dialled.item_id == item_id:
            await self._done(dialled)

        def do() -> dict[str, Any]:
            with self.path.ctx.db.session() as session:
                item = _item(session, item_id)
                if item.kind != ItemKind.CALLBACK.value:
                    raise ItemChanged(item_id=item.id, state=item.state)
                if outcome != "cancelled" and item.owner == agent:
                    attempts = _attempts(session, item.contact_id, by="switch")
                    cms.append(
                        session,
                        event=NewEvent(
                            type=EventType.CALLBACK_RESULT,
                            occurred_at=utcnow(),
                            contact_id=item.contact_id,
                            channel=Channel.CALLBACK,
                            line=item.line,
                            agent=agent,
                            source="callpath",
                            payload={
                                "result": outcome,
                                "attempt": max(1, attempts),
                                "decided_by": "agent",
                            },
                        ),
                    )
                view = workqueue.complete(
                    session, item_id=item_id, agent=agent, result=CLOSING[outcome]
                )
                session.commit()
                return view.to_json()

        async with self.path._write_lock:
            item = await self.path.ctx.db.run(do)
        return {"ok": True, "item": item}


def _item(session: Session, item_id: str) -> WorkItem:
    item = session.get(WorkItem, item_id[:36], populate_existing=True) if item_id else None
    if item is None:
        raise ItemNotFound(item_id=item_id)
    return item


def _attempts(session: Session, contact_id: str, *, by: str) -> int:
    rows = session.exec(
        select(ContactEvent.payload).where(
            col(ContactEvent.contact_id) == contact_id,
            col(ContactEvent.type) == EventType.CALLBACK_RESULT.value,
        )
    )
    return sum(1 for data in rows if json.loads(data or "{}").get("decided_by", "switch") == by)


_REGISTRY: weakref.WeakKeyDictionary[CallPath, Callbacks] = weakref.WeakKeyDictionary()


def callbacks_of(path: CallPath) -> Callbacks:
    """The call-back state of this call path (created on first use)."""
    found = _REGISTRY.get(path)
    if found is None:
        found = _REGISTRY[path] = Callbacks(path)
    return found
