"""Supervisors on the call path: listen, whisper, barge; force an agent not ready; requeue.

The supervisor's own phone (configured like an agent's: ``callpath_agent`` username →
extension, skills may be empty) is called with auto-answer straight into FreeSWITCH's
``eavesdrop`` on the agent's leg. What the supervisor says goes where mod_dptools' flags send
it (eavesdrop_function / switch_ivr_eavesdrop_session):

- ``eavesdrop_whisper_bleg=true`` → ED_MUX_WRITE: mixed into the agent leg's write stream, so
  the agent hears the supervisor (the same as the eavesdrop digit 2, "speak with the uuid");
- ``eavesdrop_whisper_aleg=true`` → ED_MUX_READ: mixed into the agent leg's read stream, which
  goes to its bridge partner, the caller (digit 1, "the other half").

listen sets neither, whisper only the b-leg flag, barge both (digit 3, "three way").
``eavesdrop_enable_dtmf=false``: the supervisor's keypad cannot change the mode behind the
audit trail. A mode change sets the variables on the supervisor's leg and re-runs eavesdrop
with ``uuid_transfer <leg> eavesdrop:<agent leg> inline`` (the transfer ends the running
eavesdrop; the phone call itself stays up).

Rule for several supervisors: any number may listen or whisper; one barge per call at a time
(a second gets 409 ``supervise-busy``). Every start, mode change and stop is audited
(``call-listen`` / ``call-whisper`` / ``call-barge`` / ``call-monitor-stop``), logged as
``contact.monitored`` and pushed to /supervisor as ``monitor_changed``.
"""

from __future__ import annotations

import contextlib
import logging
import uuid as uuid_mod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from cms.events import EventType
from realtime.audit import service as audit
from realtime.auth.service import Principal
from realtime.errors import ValidationFailed
from switch.acd.agents import AgentState
from switch.acd.engine import Stage
from switch.acd.errors import ReasonRequired
from switch.callpath.errors import SwitchUnavailable, UnknownConfig
from switch.callpath.supervise_errors import (
    AgentNotIdle,
    AgentUnknown,
    NoMonitoredCall,
    RequeueNotWaiting,
    SuperviseBusy,
    SupervisorPhoneUnreachable,
)
from switch.connection import validate
from switch.connection.errors import OriginateFailed, SwitchError
from switch.connection.events import SwitchEvent
from switch.connection.replies import check_reply

if TYPE_CHECKING:
    from switch.callpath.core import CallPath, LiveCall

log = logging.getLogger(__name__)

Mode = Literal["listen", "whisper", "barge"]
MODES: tuple[Mode, ...] = ("listen", "whisper", "barge")
StopCause = Literal["supervisor", "call_ended", "phone_hung_up"]
FORCED_REASON = "supervisor"
"""The not-ready reason code of an agent a supervisor took out of the queue."""
REQUEUED_REASON = "requeued"
"""The not-ready reason of an agent whose ringing call a supervisor sent back to a queue."""


def eavesdrop_variables(mode: Mode) -> dict[str, str]:
    """The eavesdrop variables of a mode, for eavesdropping on the agent's leg."""
    return {
        "eavesdrop_enable_dtmf": "false",
        "eavesdrop_whisper_aleg": "true" if mode == "barge" else "false",
        "eavesdrop_whisper_bleg": "true" if mode in ("whisper", "barge") else "false",
    }


@dataclass
class Monitor:
    """One supervisor's phone joined to one call."""

    call: LiveCall
    supervisor: str
    mode: Mode
    uuid: str
    agent: str
    agent_uuid: str
    joined: bool = False
    stopping: bool = False

    def view(self) -> dict[str, Any]:
        """The JSON of the monitor (contract 2)."""
        return {
            "contact_id": self.call.contact_id,
            "mode": self.mode,
            "supervisor": self.supervisor,
            "agent": self.agent,
        }


class Supervision:
    """The supervisors' monitors of one running call path, and their other actions."""

    def __init__(self, path: CallPath) -> None:
        self.path = path
        self.monitors: dict[str, Monitor] = {}
        """Supervisor leg UUID -> monitor (joining ones too, so a barge slot is held)."""
        client = path.switch.client
        client.add_handler("CHANNEL_HANGUP", self._on_hangup)
        client.add_handler("CHANNEL_HANGUP_COMPLETE", self._on_hangup)

    def detach(self) -> None:
        """Stop hearing the switch's hang-ups."""
        client = self.path.switch.client
        client.remove_handler("CHANNEL_HANGUP", self._on_hangup)
        client.remove_handler("CHANNEL_HANGUP_COMPLETE", self._on_hangup)

    def of_call(self, contact_id: str) -> list[Monitor]:
        """The monitors of one call."""
        return [m for m in self.monitors.values() if m.call.contact_id == contact_id]

    def _mine(self, contact_id: str, supervisor: str) -> Monitor | None:
        return next((m for m in self.of_call(contact_id) if m.supervisor == supervisor), None)

    # ------------------------------------------------------------------ monitoring

    async def supervise(
        self, principal: Principal, *, contact_id: str, mode: str
    ) -> dict[str, Any]:
        """Join the supervisor's phone to a connected call, or switch the mode (audited)."""
        if mode not in MODES:
            raise ValidationFailed(fields={"mode": "listen / whisper / barge を指定してください。"})
        chosen: Mode = mode
        call = self._connected(contact_id)
        mine = self._mine(contact_id, principal.username)
        if chosen == "barge":
            holder = next(
                (m for m in self.of_call(contact_id) if m.mode == "barge" and m is not mine),
                None,
            )
            if holder is not None:
                raise SuperviseBusy(contact_id=contact_id, holder=holder.supervisor)
        if mine is not None and not mine.joined:
            raise SuperviseBusy(contact_id=contact_id, holder=mine.supervisor)
        if mine is not None:
            if mine.mode != chosen:
                previous = mine.mode
                await self._change_mode(mine, chosen)
                await self._record(principal.username, mine, "changed", previous=previous)
            return {"ok": True, "monitor": mine.view()}
        monitor = await self._join(principal.username, call, chosen)
        await self._record(principal.username, monitor, "started")
        return {"ok": True, "monitor": monitor.view()}

    def _connected(self, contact_id: str) -> LiveCall:
        call = self.path.calls.get(contact_id)
        if call is None or call.ended or not call.bridged or call.agent_uuid is None:
            raise NoMonitoredCall(contact_id=contact_id)
        if call.agent is None:
            raise NoMonitoredCall(contact_id=contact_id)
        return call

    async def _join(self, supervisor: str, call: LiveCall, mode: Mode) -> Monitor:
        config = self.path._config
        profile = config.agents.get(supervisor) if config is not None else None
        if profile is None:
            raise SupervisorPhoneUnreachable(supervisor=supervisor, cause="not_configured")
        agent_uuid = call.agent_uuid or ""
        monitor = Monitor(
            call=call,
            supervisor=supervisor,
            mode=mode,
            uuid=str(uuid_mod.uuid4()),
            agent=call.agent or "",
            agent_uuid=agent_uuid,
        )
        self.monitors[monitor.uuid] = monitor  # holds the barge slot while the phone rings
        try:
            await self.path.switch.control.originate(
                uuid=monitor.uuid,
                endpoint=f"user/{profile.extension}",
                target=f"&eavesdrop({validate.uuid(agent_uuid)})",
                variables={
                    **eavesdrop_variables(mode),
                    "madoguchi_contact_id": call.contact_id,
                    "madoguchi_monitor": "true",
                },
                auto_answer=True,
                caller_id_name="Madoguchi",
                timeout_s=30,
            )
        except OriginateFailed as exc:
            self.monitors.pop(monitor.uuid, None)
            raise SupervisorPhoneUnreachable(supervisor=supervisor, cause=exc.reason) from None
        except (SwitchError, OSError) as exc:
            self.monitors.pop(monitor.uuid, None)
            raise SwitchUnavailable(cause=str(exc)[:100]) from None
        if call.ended or monitor.uuid not in self.monitors:
            self.monitors.pop(monitor.uuid, None)
            await self._kill(monitor.uuid)
            raise NoMonitoredCall(contact_id=call.contact_id)
        monitor.joined = True
        return monitor

    async def _change_mode(self, monitor: Monitor, mode: Mode) -> None:
        """Set the new flags on the supervisor's leg and re-run eavesdrop on the agent leg."""
        control = self.path.switch.control
        try:
            for name, value in eavesdrop_variables(mode).items():
                await control.setvar(uuid=monitor.uuid, name=name, value=value)
            arg = f"{validate.uuid(monitor.uuid)} eavesdrop:{validate.uuid(monitor.agent_uuid)}"
            reply = await self.path.switch.client.bgapi("uuid_transfer", f"{arg} inline")
            check_reply("uuid_transfer", reply)
        except SwitchError as exc:
            raise SwitchUnavailable(cause=str(exc)[:100]) from None
        monitor.mode = mode

    async def stop(self, principal: Principal, *, contact_id: str) -> dict[str, Any]:
        """The supervisor leaves the call: the phone leg is hung up (audited)."""
        mine = self._mine(contact_id, principal.username)
        if mine is None or not mine.joined:
            raise NoMonitoredCall(
                contact_id=contact_id, message_ja="この通話をモニタリングしていません。"
            )
        await self._end(mine, cause="supervisor")
        return {"ok": True, "monitor": {**mine.view(), "mode": None}}

    async def _end(self, monitor: Monitor, *, cause: StopCause) -> None:
        if monitor.stopping or self.monitors.pop(monitor.uuid, None) is None:
            return
        monitor.stopping = True
        if cause != "phone_hung_up":
            await self._kill(monitor.uuid)
        if monitor.joined:
            await self._record(monitor.supervisor, monitor, "stopped", cause=cause)

    async def _kill(self, uuid: str) -> None:
        with contextlib.suppress(SwitchError, OSError):
            await self.path.switch.control.kill(uuid=uuid)

    async def _on_hangup(self, event: SwitchEvent) -> None:
        """A supervisor's phone hung up, or a monitored call ended: the monitor stops."""
        uuid = event.unique_id or ""
        monitor = self.monitors.get(uuid)
        if monitor is not None:
            if monitor.joined:
                await self._end(monitor, cause="phone_hung_up")
            return
        for other in list(self.monitors.values()):
            if uuid in (other.call.caller_uuid, other.agent_uuid) and other.joined:
                await self._end(other, cause="call_ended")

    async def _record(
        self,
        actor: str,
        monitor: Monitor,
        action: Literal["started", "changed", "stopped"],
        *,
        previous: Mode | None = None,
        cause: StopCause = "supervisor",
    ) -> None:
        """Audit, contact log and the /supervisor push of one monitoring change."""
        path, call = self.path, monitor.call
        stopped = action == "stopped"
        detail: dict[str, Any] = {"agent": monitor.agent, "mode": monitor.mode}
        if previous is not None:
            detail["previous"] = previous
        if stopped:
            detail["by"] = cause

        def write() -> None:
            with path.ctx.db.session() as session:
                audit.record(
                    session,
                    actor=actor,
                    action="call-monitor-stop" if stopped else f"call-{monitor.mode}",
                    target=call.contact_id,
                    detail=detail,
                )

        await path.ctx.db.run(write)
        payload: dict[str, Any] = {"action": action, "mode": None if stopped else monitor.mode}
        if stopped:
            payload["stopped_by"] = cause
        event = path.contact_event(call, EventType.CONTACT_MONITORED, payload, agent=monitor.agent)
        await path.log_events([event])
        await path.ctx.hub.emit(
            "monitor_changed",
            {
                "contact_id": call.contact_id,
                "mode": None if stopped else monitor.mode,
                "supervisor": monitor.supervisor,
            },
            namespace="/supervisor",
            room="all",
        )

    # ------------------------------------------------------------------ agents and queues

    async def force_not_ready(
        self, principal: Principal, *, agent: str, reason: str
    ) -> dict[str, Any]:
        """Take a ready (or not-ready) agent out of distribution (audited, pushed)."""
        text = reason.strip()
        if not text:
            raise ReasonRequired(agent_id=agent)
        path = self.path
        config = path._config
        known = config is not None and agent in config.agents
        if not known and agent not in path.engine.agents():
            raise AgentUnknown(agent=agent)
        state = path._state_of(agent)
        if state not in (AgentState.READY, AgentState.NOT_READY):
            raise AgentNotIdle(agent=agent, state=state.value)
        events = path.engine.set_not_ready(agent_id=agent, reason=FORCED_REASON)

        def write() -> None:
            with path.ctx.db.session() as session:
                audit.record(
                    session,
                    actor=principal.username,
                    action="agent-forced-not-ready",
                    target=agent,
                    detail={"reason": text[:200], "from": state.value},
                )

        await path.ctx.db.run(write)
        await path.apply(events)
        return {"ok": True, "agent": agent, **path.agent_view(agent)}

    async def requeue(
        self, principal: Principal, *, contact_id: str, queue_id: str | None
    ) -> dict[str, Any]:
        """A waiting or ringing call goes back to its queue or another, keeping its wait time."""
        path = self.path
        call = path.calls.get(contact_id)
        contact = path.engine.contact(contact_id)
        if call is None or call.ended or contact is None:
            raise NoMonitoredCall(contact_id=contact_id)
        if contact.stage not in (Stage.QUEUED, Stage.OFFERED) or call.accepting:
            stage = "accepting" if call.accepting else contact.stage.value
            raise RequeueNotWaiting(contact_id=contact_id, stage=stage)
        target = queue_id or contact.queue_id
        if target not in {q.queue_id for q in (path._config.queues if path._config else ())}:
            raise UnknownConfig(kind="queue", key=target)
        if contact.stage is Stage.QUEUED and target == contact.queue_id:
            raise RequeueNotWaiting(
                contact_id=contact_id,
                stage=contact.stage.value,
                message_ja="この通話はすでにその待ち行列で待っています。",
            )
        source, stage = contact.queue_id, contact.stage.value
        ringing = contact.agent_id if contact.stage is Stage.OFFERED else None
        events = path.engine.requeue(contact_id=contact_id, queue_id=target, reason=REQUEUED_REASON)

        def write() -> None:
            with path.ctx.db.session() as session:
                audit.record(
                    session,
                    actor=principal.username,
                    action="call-requeue",
                    target=contact_id,
                    detail={
                        "from_queue": source,
                        "to_queue": target,
                        "stage": stage,
                        "agent": ringing or "",
                    },
                )

        await path.ctx.db.run(write)
        call.queue_id = target
        if ringing is not None:
            path.pops.pop(contact_id, None)
            user_id = path.user_ids.get(ringing)
            if user_id is not None:
                await path.ctx.hub.emit(
                    "offer_withdrawn",
                    {"contact_id": contact_id, "reason": "contact.requeued"},
                    namespace="/agent",
                    room=f"user:{user_id}",
                )
        await path.apply(events)
        return {
            "ok": True,
            "requeue": {"contact_id": contact_id, "from_queue": source, "to_queue": target},
        }


def supervision_of(ctx: Any) -> Supervision:
    """The supervision of this app's running call path (made on first use)."""
    from switch.callpath.desk import callpath_of

    path = callpath_of(ctx)
    found = ctx.extras.get("supervision")
    if isinstance(found, Supervision) and found.path is path:
        return found
    if isinstance(found, Supervision):
        found.detach()
    made = Supervision(path)
    ctx.extras["supervision"] = made
    return made
