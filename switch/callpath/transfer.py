"""Transfers from the agent desk (F-1.1.3): to a department, to another queue, to an agent.

- ``blind`` to a department (the switchboard's 交換): the department is called; when it answers
  the caller is bridged to it and the agent's leg ends (the agent goes to wrap-up). If it does
  not answer the agent still has the caller and gets ``transfer-destination-unanswered``.
- ``consult`` (取次ぐ旨の確認電話): the department is called; when it answers the agent talks to
  it while the caller hears hold music. ``complete`` bridges the caller to the department and
  ends the agent's leg; ``cancel`` ends the department's leg and brings the agent back.
- ``blind`` to a queue or a named agent: the agent's leg ends (wrap-up) and the call continues
  as a new contact (``contact.received`` with ``transferred_from``) in the queue, or offered to
  the named agent if it is ready.

Every hand-off, done or cancelled, is a ``contact.transferred`` event with the destination's
type, id and label (never a phone number). Hang-ups while a department is rung or consulted
(caller, agent, department) leave one consistent end: the caller hanging up ends the contact
(``contact.ended`` by caller, department leg killed); the agent hanging up during a consultation
completes the transfer (as FreeSWITCH's att_xfer does); the department hanging up cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuid_mod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cms.events import EventType
from crm.departments import service as departments
from crm.faq.exceptions import DepartmentNotFound
from realtime.auth.service import Principal
from realtime.errors import ValidationFailed
from switch.acd.agents import AgentState
from switch.acd.errors import IllegalTransition, UnknownAgent, UnknownQueue
from switch.callpath.core import MOH, CallPath, LiveCall
from switch.callpath.errors import SwitchUnavailable
from switch.callpath.transfer_errors import (
    AgentUnavailable,
    DestinationUnanswered,
    TransferNoCall,
    TransferNotConsulting,
    UnknownDestination,
)
from switch.connection.errors import NoSuchChannel, OriginateFailed, SwitchError

if TYPE_CHECKING:
    from switch.acd.agents import Agent

log = logging.getLogger(__name__)

S = AgentState
Action = Literal["blind", "consult", "complete", "cancel"]
ACTIONS: tuple[Action, ...] = ("blind", "consult", "complete", "cancel")
Phase = Literal["ringing", "consulting", "closing"]
EXTRAS_KEY = "callpath_transfers"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a call is handed: a department (部 課 係), a queue or an agent."""

    type: Literal["department", "queue", "agent"]
    id: str
    label: str
    number: str = ""
    """The department's extension (dialled, never logged)."""

    def json(self) -> dict[str, str]:
        """As the desk and the API show it."""
        return {"type": self.type, "id": self.id, "label": self.label}


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """A checked desk request."""

    action: Action
    dept_id: str | None = None
    queue_id: str | None = None
    agent: str | None = None

    @classmethod
    def parse(cls, data: Any) -> TransferRequest:
        """Validate the JSON body (422 ``validation-failed`` with Japanese field messages)."""
        if not isinstance(data, dict):
            raise ValidationFailed(fields={"action": "転送の内容を指定してください。"})
        action = data.get("action")
        if action not in ACTIONS:
            raise ValidationFailed(
                fields={"action": "blind / consult / complete / cancel を指定してください。"}
            )
        values: dict[str, str | None] = {}
        problems: dict[str, str] = {}
        for name in ("dept_id", "queue_id", "agent"):
            value = data.get(name)
            if value is None or value == "":
                values[name] = None
            elif not isinstance(value, str) or len(value.strip()) > 64 or not value.strip():
                problems[name] = "64文字以内の文字列で指定してください。"
            else:
                values[name] = value.strip()
        given = [n for n, v in values.items() if v is not None]
        if action in ("blind", "consult") and len(given) != 1:
            message = "転送先（部署・キュー・オペレーターのいずれか1つ）を指定してください。"
            for name in given or ["dept_id"]:
                problems.setdefault(name, message)
        if action in ("complete", "cancel") and given:
            for name in given:
                problems.setdefault(name, "完了・取消では転送先を指定しないでください。")
        if action == "consult" and values["dept_id"] is None and given:
            problems.setdefault(given[0], "取次ぎの確認は部署に対してのみ行えます。")
        if problems:
            raise ValidationFailed(fields=problems)
        return cls(
            action=action,
            dept_id=values["dept_id"],
            queue_id=values["queue_id"],
            agent=values["agent"],
        )


@dataclass
class Consult:
    """A department being rung or consulted for one call."""

    call: LiveCall
    agent: str
    destination: Destination
    leg_uuid: str
    kind: Literal["blind", "consult"]
    phase: Phase = "ringing"
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def transfers_of(path: CallPath) -> Transfers:
    """The transfer handler of this running call path (created on first use)."""
    found = path.ctx.extras.get(EXTRAS_KEY)
    if isinstance(found, Transfers) and found.path is path:
        return found
    made = Transfers(path)
    path.ctx.extras[EXTRAS_KEY] = made
    return made


class Transfers:
    """Every transfer of one call path; one :class:`Consult` per call with a department leg."""

    def __init__(self, path: CallPath) -> None:
        self.path = path
        settings = path.ctx.settings
        self.dial = settings.callpath_department_dial
        self.ring_s = settings.callpath_department_ring_s
        self.consults: dict[str, Consult] = {}
        """Contact id -> the department leg of that call."""
        path.hangup_hooks.append(self.on_hangup)

    # ------------------------------------------------------------------ entry point

    async def request(self, principal: Principal, *, data: Any) -> dict[str, Any]:
        """Run one desk request; returns the ``transfer`` object of the contract."""
        req = TransferRequest.parse(data)
        username = principal.username
        self.path.user_ids[username] = principal.user_id
        if req.action in ("complete", "cancel"):
            consult = self._consult_of(username)
            if consult is None or consult.phase != "consulting" or consult.kind != "consult":
                if self._call_of(username) is None:
                    raise TransferNoCall(agent=username)
                phase = consult.phase if consult is not None else "none"
                raise TransferNotConsulting(agent=username, phase=phase)
            async with consult.lock:
                if consult.phase != "consulting":
                    raise TransferNotConsulting(agent=username, phase=consult.phase)
                if req.action == "complete":
                    result = await self._complete(consult)
                else:
                    result = await self._cancel(consult, reason=None)
            return result
        call = self._call_of(username)
        if call is None:
            raise TransferNoCall(agent=username)
        if call.contact_id in self.consults:
            raise TransferNotConsulting(agent=username, phase=self.consults[call.contact_id].phase)
        if req.dept_id is not None:
            dest = await self._department(req.dept_id)
            kind: Literal["blind", "consult"] = "consult" if req.action == "consult" else "blind"
            return await self._ring_department(username, call, dest, kind)
        if req.queue_id is not None:
            return await self._to_queue(username, call, await self._queue(req.queue_id))
        dest = await self._agent(req.agent or "", username)
        return await self._to_agent(username, call, dest)

    # ------------------------------------------------------------------ lookups

    def _call_of(self, username: str) -> LiveCall | None:
        """The agent's connected call (on the line or held), if any."""
        try:
            agent: Agent = self.path.engine.agent(username)
        except UnknownAgent:
            return None
        if agent.state not in (S.ON_CALL, S.HELD) or agent.contact_id is None:
            return None
        call = self.path.calls.get(agent.contact_id)
        if call is None or call.ended or not call.bridged or call.agent != username:
            return None
        if call.agent_uuid is None:
            return None
        return call

    def _consult_of(self, username: str) -> Consult | None:
        return next((c for c in self.consults.values() if c.agent == username), None)

    async def _department(self, dept_id: str) -> Destination:
        def load() -> tuple[str, str, str]:
            with self.path.ctx.db.session() as session:
                dept = departments.get(session, dept_id=dept_id)
                return dept.dept_id, dept.display_name, dept.extension

        try:
            found_id, label, extension = await self.path.ctx.db.run(load)
        except DepartmentNotFound:
            raise UnknownDestination(kind="department", key=dept_id) from None
        number = "".join(c for c in extension if c.isdigit())
        if not number:
            raise UnknownDestination(kind="department", key=dept_id, problem="no_number")
        return Destination("department", found_id, label, number)

    async def _queue(self, queue_id: str) -> Destination:
        config = await self.path.load()
        label = config.queue_labels.get(queue_id)
        try:
            self.path.engine.waiting(queue_id)  # the running ACD serves it
        except UnknownQueue:
            label = None
        if label is None:
            raise UnknownDestination(kind="queue", key=queue_id)
        return Destination("queue", queue_id, label)

    async def _agent(self, username: str, me: str) -> Destination:
        config = await self.path.load()
        if username not in config.agents:
            raise UnknownDestination(kind="agent", key=username)
        try:
            state = self.path.engine.agent(username).state
        except UnknownAgent:
            state = S.SIGNED_OUT
        if username == me or state is not S.READY:
            raise AgentUnavailable(agent=username, state=state.value)
        return Destination("agent", username, username)

    # ------------------------------------------------------------------ departments

    async def _ring_department(
        self, username: str, call: LiveCall, dest: Destination, kind: Literal["blind", "consult"]
    ) -> dict[str, Any]:
        """Call the department; blind: bridge the caller to it; consult: the agent talks to it."""
        path, control = self.path, self.path.switch.control
        agent_uuid = call.agent_uuid or ""
        consult = Consult(call, username, dest, str(uuid_mod.uuid4()), kind)
        self.consults[call.contact_id] = consult
        path.by_uuid[consult.leg_uuid] = call.contact_id
        endpoint = self.dial.format(number=dest.number)
        async with consult.lock:
            try:
                if kind == "consult":
                    await control.consult_start(
                        customer_uuid=call.caller_uuid,
                        agent_uuid=agent_uuid,
                        consult_uuid=consult.leg_uuid,
                        endpoint=endpoint,
                        hold_music=MOH,
                    )
                else:
                    await control.originate(
                        uuid=consult.leg_uuid,
                        endpoint=endpoint,
                        caller_id_name="Madoguchi",
                        caller_id_number="".join(c for c in call.did if c.isdigit()) or None,
                        variables={"madoguchi_contact_id": call.contact_id},
                        timeout_s=self.ring_s,
                    )
            except OriginateFailed as exc:
                await self._unanswered(consult, cause=exc.reason)
                if call.ended:
                    raise TransferNoCall(agent=username) from None
                raise DestinationUnanswered(dept_id=dest.id, cause=exc.reason) from None
            except (SwitchError, OSError) as exc:
                self._forget(consult)
                await self._restore_after_bridge(call)
                await self._kill(consult.leg_uuid)
                raise SwitchUnavailable(cause=str(exc)[:100]) from None
            if call.ended or consult.phase != "ringing":
                # The caller or the agent hung up while the department was rung.
                self._forget(consult)
                await self._kill(consult.leg_uuid)
                raise TransferNoCall(agent=username)
            if kind == "blind":
                return await self._bridge_to_department(consult)
            consult.phase = "consulting"
            # The department stays when the agent hangs up: that completes the transfer.
            with contextlib.suppress(SwitchError):
                await control.setvar(uuid=consult.leg_uuid, name="park_after_bridge", value="true")
            await path.apply(path.engine.hold(agent_id=username))
            result = self._result("consulting", consult)
        await self._push(username, result)
        return result

    async def _unanswered(self, consult: Consult, *, cause: str) -> None:
        """The department did not answer: the agent still has the caller; logged as cancelled."""
        self._forget(consult)
        call = consult.call
        if consult.kind == "consult":
            await self._restore_after_bridge(call)
        if call.ended:
            return
        await self._log_transfer(
            consult.call,
            consult.agent,
            consult.kind,
            consult.destination,
            "cancelled",
            reason=_reason(cause),
        )
        await self._push(consult.agent, self._result("cancelled", consult))

    async def _bridge_to_department(self, consult: Consult) -> dict[str, Any]:
        """The caller to the department; the agent's leg ends; the contact ends for the agent."""
        call, path, control = consult.call, self.path, self.path.switch.control
        consult.phase = "closing"
        agent_uuid = call.agent_uuid or ""
        path.by_uuid.pop(agent_uuid, None)
        try:
            await control.bridge(uuid=call.caller_uuid, other_uuid=consult.leg_uuid)
        except SwitchError:
            self._forget(consult)
            path.by_uuid[agent_uuid] = call.contact_id
            await self._kill(consult.leg_uuid)
            await path.caller_gone(call)
            raise TransferNoCall(agent=consult.agent) from None
        with contextlib.suppress(SwitchError):
            await control.setvar(uuid=call.caller_uuid, name="park_after_bridge", value="false")
        await self._kill(agent_uuid)
        return await self._handed_off(consult)

    async def _complete(self, consult: Consult) -> dict[str, Any]:
        """Consultation done: the caller to the department, the agent leaves (wrap-up)."""
        call, path = consult.call, self.path
        consult.phase = "closing"
        agent_uuid = call.agent_uuid or ""
        path.by_uuid.pop(agent_uuid, None)
        try:
            await path.switch.control.consult_complete(
                customer_uuid=call.caller_uuid, agent_uuid=agent_uuid, consult_uuid=consult.leg_uuid
            )
        except SwitchError:
            # One of the two legs vanished meanwhile: its hang-up is handled as such.
            path.by_uuid[agent_uuid] = call.contact_id
            consult.phase = "consulting"
            raise TransferNotConsulting(agent=consult.agent, phase="gone") from None
        return await self._handed_off(consult)

    async def _handed_off(self, consult: Consult) -> dict[str, Any]:
        """Log the hand-off and the end of the contact; the legs now belong to the department."""
        call, path = consult.call, self.path
        self._forget(consult)
        with contextlib.suppress(SwitchError):
            await path.switch.control.record_stop(uuid=call.caller_uuid)
        if consult.kind == "consult":
            with contextlib.suppress(SwitchError):
                await path.switch.control.setvar(
                    uuid=consult.leg_uuid, name="park_after_bridge", value="false"
                )
        await self._log_transfer(
            call, consult.agent, consult.kind, consult.destination, "completed"
        )
        if self._state(consult.agent) in (S.ON_CALL, S.HELD):
            await path.apply(path.engine.end_contact(agent_id=consult.agent))
        path.release(call)
        result = self._result("completed", consult)
        await self._push(consult.agent, result)
        return result

    async def _cancel(self, consult: Consult, *, reason: str | None) -> dict[str, Any]:
        """End the department's leg and bring the agent back to the caller (hold off)."""
        call, path = consult.call, self.path
        consult.phase = "closing"
        self._forget(consult)
        try:
            await path.switch.control.consult_cancel(
                customer_uuid=call.caller_uuid,
                agent_uuid=call.agent_uuid or "",
                consult_uuid=consult.leg_uuid,
            )
        except SwitchError:
            log.info("contact %s: cancel found a leg gone", call.contact_id)
        if self._state(consult.agent) is S.HELD and not call.ended:
            await path.apply(path.engine.retrieve(agent_id=consult.agent))
        await self._log_transfer(
            call, consult.agent, "consult", consult.destination, "cancelled", reason=reason
        )
        result = self._result("cancelled", consult)
        await self._push(consult.agent, result)
        return result

    # ------------------------------------------------------------------ queue and agent

    async def _to_queue(self, username: str, call: LiveCall, dest: Destination) -> dict[str, Any]:
        """The call re-enters the ACD in another queue as a new contact."""
        new = await self._hand_over(username, call, dest, kind="queue")
        path = self.path
        await path.apply(path.engine.enqueue(contact_id=new.contact_id, queue_id=dest.id))
        if path.stage_of(new.contact_id) is not None:
            with contextlib.suppress(SwitchError):
                await path.switch.control.broadcast(uuid=new.caller_uuid, path=MOH)
        result = {"state": "completed", "kind": "queue", "destination": dest.json()}
        await self._push(username, result)
        return result

    async def _to_agent(self, username: str, call: LiveCall, dest: Destination) -> dict[str, Any]:
        """The call is offered to the named agent (ready); unanswered, it waits in its queue."""
        queue_id = call.queue_id or ""
        new = await self._hand_over(username, call, dest, kind="agent")
        path = self.path
        try:
            events = path.engine.enqueue_for(
                contact_id=new.contact_id, queue_id=queue_id, agent_id=dest.id
            )
        except (IllegalTransition, UnknownAgent):
            # The agent changed state between the check and now: any agent of the queue.
            events = path.engine.enqueue(contact_id=new.contact_id, queue_id=queue_id)
        await path.apply(events)
        result = {"state": "completed", "kind": "agent", "destination": dest.json()}
        await self._push(username, result)
        return result

    async def _hand_over(
        self, username: str, call: LiveCall, dest: Destination, *, kind: Literal["queue", "agent"]
    ) -> LiveCall:
        """End the agent's part (leg killed, wrap-up) and go on with the caller as a new contact.

        The caller's leg parks (``park_after_bridge``) with hold music; the outbound session of
        the call waits for the new contact (the old one's ``done`` follows the new one's).
        """
        path, control = self.path, self.path.switch.control
        agent_uuid = call.agent_uuid or ""
        try:
            await control.setvar(uuid=call.caller_uuid, name="park_after_bridge", value="true")
        except SwitchError:
            raise TransferNoCall(agent=username) from None
        path.by_uuid.pop(agent_uuid, None)
        await self._kill(agent_uuid)
        with contextlib.suppress(SwitchError):
            await control.record_stop(uuid=call.caller_uuid)
        await self._log_transfer(call, username, kind, dest, "completed")
        await path.apply(path.engine.end_contact(agent_id=username))
        new = LiveCall(
            contact_id=str(uuid_mod.uuid4()),
            caller_uuid=call.caller_uuid,
            did=call.did,
            line_name=call.line_name,
            received_at=path.clock(),
            menu=call.menu,
            queue_id=call.queue_id if kind == "agent" else dest.id,
        )
        call.ended = True
        path.remember(new)
        if not any(owner is call for owner in path.recordings.values()):
            path.calls.pop(call.contact_id, None)
        path.spawn(_follow(call, new))
        await path.log_events(
            [
                path.contact_event(
                    new,
                    EventType.CONTACT_RECEIVED,
                    {"direction": "inbound", "transferred_from": call.contact_id},
                )
            ]
        )
        with contextlib.suppress(SwitchError):
            await control.setvar(uuid=new.caller_uuid, name="park_after_bridge", value="false")
        return new

    # ------------------------------------------------------------------ hang-ups

    async def on_hangup(self, call: LiveCall, uuid: str) -> bool:
        """A leg of a call with a department leg hung up; True when handled here."""
        consult = self.consults.get(call.contact_id)
        if consult is None:
            if uuid not in (call.caller_uuid, call.agent_uuid):
                self.path.by_uuid.pop(uuid, None)  # a department leg after its hand-off
                return True
            return False
        if uuid == call.caller_uuid:
            # The caller gave up: the department leg goes too; the call path ends the contact.
            self._forget(consult)
            consult.phase = "closing"
            await self._kill(consult.leg_uuid)
            await self._push(consult.agent, self._result("cancelled", consult))
            return False
        if consult.phase != "consulting":
            # Ringing: the originate reports the department's end; the agent's end is the
            # call path's (the request sees call.ended). Closing: the hand-off is under way.
            return uuid == consult.leg_uuid or consult.phase == "closing"
        if uuid == consult.leg_uuid:
            async with consult.lock:
                if consult.phase == "consulting":
                    await self._cancel(consult, reason="destination_hung_up")
            return True
        if uuid == call.agent_uuid:
            async with consult.lock:
                if consult.phase == "consulting":
                    try:
                        await self._complete(consult)
                    except TransferNotConsulting:
                        # The department went too: the call ends as the agent's hang-up.
                        self._forget(consult)
                        await self.path.agent_gone(call)
            return True
        return False

    # ------------------------------------------------------------------ helpers

    def _forget(self, consult: Consult) -> None:
        self.consults.pop(consult.call.contact_id, None)
        self.path.by_uuid.pop(consult.leg_uuid, None)

    def _state(self, username: str) -> AgentState:
        try:
            return self.path.engine.agent(username).state
        except UnknownAgent:
            return S.SIGNED_OUT

    async def _restore_after_bridge(self, call: LiveCall) -> None:
        for uuid in (call.caller_uuid, call.agent_uuid):
            if uuid:
                with contextlib.suppress(SwitchError):
                    await self.path.switch.control.setvar(
                        uuid=uuid, name="park_after_bridge", value="false"
                    )

    async def _kill(self, uuid: str) -> None:
        if uuid:
            with contextlib.suppress(SwitchError, NoSuchChannel):
                await self.path.switch.control.kill(uuid=uuid)

    async def _log_transfer(
        self,
        call: LiveCall,
        agent: str,
        kind: str,
        dest: Destination,
        outcome: Literal["completed", "cancelled"],
        *,
        reason: str | None = None,
    ) -> None:
        payload: dict[str, Any] = {
            "kind": "attended" if kind == "consult" else kind,
            "destination": dest.id,
            "outcome": outcome,
            "destination_type": dest.type,
            "destination_label": dest.label[:200],
        }
        if reason is not None:
            payload["reason"] = reason[:64]
        event = self.path.contact_event(call, EventType.CONTACT_TRANSFERRED, payload, agent=agent)
        await self.path.log_events([event])
        await self.path.ctx.hub.emit(
            "contact_event",
            {
                "type": EventType.CONTACT_TRANSFERRED.value,
                "contact_id": call.contact_id,
                "queue": call.queue_id,
                "agent": agent,
                "payload": payload,
            },
            namespace="/supervisor",
            room="all",
        )

    def _result(self, state: str, consult: Consult) -> dict[str, Any]:
        return {"state": state, "kind": consult.kind, "destination": consult.destination.json()}

    async def _push(self, username: str, transfer: dict[str, Any]) -> None:
        user_id = self.path.user_ids.get(username)
        if user_id is not None:
            await self.path.ctx.hub.emit(
                "transfer_state", transfer, namespace="/agent", room=f"user:{user_id}"
            )


def _reason(cause: str) -> str:
    """An originate cause as a short reason code (``NO_ANSWER`` -> ``no_answer``)."""
    return cause.strip().lower()[:64] or "no_answer"


async def _follow(old: LiveCall, new: LiveCall) -> None:
    """The old contact's session lasts as long as the call it was handed over to."""
    await new.done.wait()
    old.done.set()
