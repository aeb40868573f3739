"""Keeping queued callers across a leader's death, and rebuilding the ACD on the new leader.

When a call joins a queue the leader writes onto the caller's channel (``uuid_setvar``):
``madoguchi_contact_id``, ``madoguchi_queue_id``, ``madoguchi_queue_joined`` (UNIX time, s) and
``madoguchi_menu`` (the menu node). If the leader dies its outbound socket closes; FreeSWITCH's
``socket`` application returns and the dialplan goes on (``transfer degraded XML
madoguchi_degraded``), where the first extension parks a channel that carries
``madoguchi_queue_id`` (freeswitch-conf/dialplan/degraded.xml). The caller keeps waiting.

The new leader (:func:`take_over`) reads ``show channels as json``, asks each inbound channel
for these variables, and puts every parked, unbridged caller back into its queue with the time
it has already waited (same place in line, same overflow deadline; ``queue.joined`` is not
logged twice). Then agents come back in the state of their last logged ``agent.state_changed``:
ready (also an agent whose offer died with the leader), not ready with its reason; an agent who
was on a call or in wrap-up comes back not ready (``failover``), since the new leader does not
know that call.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select

from cms.models import ContactEvent
from realtime.auth.models import User
from switch.acd.agents import AgentState
from switch.acd.events import AcdEvent, AgentStateChanged
from switch.acd.events import ContactEvent as AcdContactEvent
from switch.calendar.errors import InvalidCalendarData
from switch.calendar.model import normalize_number
from switch.callpath.core import MOH, CallPath, LiveCall
from switch.connection.errors import SwitchError

if TYPE_CHECKING:
    from switch.connection.control import CallControl

log = logging.getLogger(__name__)

CONTACT_VAR = "madoguchi_contact_id"
QUEUE_VAR = "madoguchi_queue_id"
JOINED_VAR = "madoguchi_queue_joined"
MENU_VAR = "madoguchi_menu"
UNDEFINED = "_undef_"
"""What ``uuid_getvar`` prints for an unset variable."""
FAILOVER_REASON = "failover"

S = AgentState


@dataclass(frozen=True)
class TakeoverReport:
    """What the new leader took over."""

    callers: int
    agents: int
    seconds: float


async def mark_queued(path: CallPath, call: LiveCall) -> None:
    """Write the queue variables onto the caller's channel (the call is joining its queue)."""
    menu = call.menu.node_id if call.menu is not None else ""
    values = {
        CONTACT_VAR: call.contact_id,
        QUEUE_VAR: call.queue_id or "",
        JOINED_VAR: f"{time.time():.3f}",
        MENU_VAR: menu,
    }
    control: CallControl = path.switch.control
    for name, value in values.items():
        if not value:
            continue
        try:
            await control.setvar(uuid=call.caller_uuid, name=name, value=value)
        except SwitchError as exc:
            log.warning("call %s: %s not set (%s)", call.contact_id, name, exc)
            return


@dataclass(frozen=True)
class Waiting:
    """A caller found parked in FreeSWITCH with its queue variables."""

    uuid: str
    did: str
    contact_id: str
    queue_id: str
    joined_at: float
    menu: str


async def _getvar(path: CallPath, uuid: str, name: str) -> str:
    text = (await path.switch.client.api("uuid_getvar", f"{uuid} {name}")).strip()
    return "" if text == UNDEFINED or text.startswith("-") else text


async def waiting_callers(path: CallPath) -> list[Waiting]:
    """Inbound channels that carry queue variables and are not bridged, oldest first."""
    text = await path.switch.client.api("show", "channels as json")
    try:
        rows = json.loads(text).get("rows") or []
    except (ValueError, AttributeError):
        log.warning("show channels gave no JSON: %.80s", text)
        return []
    found: list[Waiting] = []
    for row in rows:
        if not isinstance(row, dict) or row.get("direction") != "inbound" or not row.get("uuid"):
            continue
        uuid = str(row["uuid"])
        queue_id = await _getvar(path, uuid, QUEUE_VAR)
        if not queue_id or await _getvar(path, uuid, "bridge_uuid"):
            continue
        contact_id = await _getvar(path, uuid, CONTACT_VAR)
        joined = await _getvar(path, uuid, JOINED_VAR)
        try:
            joined_at = float(joined)
        except ValueError:
            joined_at = time.time()
        raw = str(row.get("dest") or "")
        try:
            did = normalize_number(raw)
        except InvalidCalendarData:
            did = raw[:16]
        found.append(
            Waiting(
                uuid=uuid,
                did=did,
                contact_id=contact_id,
                queue_id=queue_id,
                joined_at=joined_at,
                menu=await _getvar(path, uuid, MENU_VAR),
            )
        )
    return sorted(found, key=lambda w: w.joined_at)


async def requeue(path: CallPath, callers: list[Waiting]) -> int:
    """Put the parked callers back into their queues with the time they already waited."""
    config = path._config
    engine_queues = {q.queue_id for q in config.queues} if config is not None else set()
    count = 0
    for caller in callers:
        if not caller.contact_id or caller.contact_id in path.calls:
            continue
        if caller.queue_id not in engine_queues:
            log.warning("parked caller %s: queue %s is gone", caller.contact_id, caller.queue_id)
            continue
        waited = max(0.0, time.time() - caller.joined_at)
        line = config.lines.get(caller.did) if config is not None else None
        menu = config.nodes.get(caller.menu) if config is not None else None
        if menu is not None and menu.queue_id != caller.queue_id:
            menu = replace(menu, queue_id=caller.queue_id)
        call = LiveCall(
            contact_id=caller.contact_id,
            caller_uuid=caller.uuid,
            did=caller.did,
            line_name=line.name_ja if line is not None else caller.did,
            received_at=path.clock() - waited,
            menu=menu,
            queue_id=caller.queue_id,
        )
        path.remember(call)
        events = path.engine.enqueue(
            contact_id=call.contact_id, queue_id=caller.queue_id, waited_s=waited
        )
        await path.apply([e for e in events if not _is_join(e)])
        with contextlib.suppress(SwitchError):
            await path.switch.control.broadcast(uuid=call.caller_uuid, path=MOH)
        count += 1
    return count


def _is_join(event: AcdEvent) -> bool:
    return isinstance(event, AcdContactEvent) and event.type == "queue.joined"


def last_agent_states(path: CallPath) -> dict[str, tuple[str, str | None, int | None]]:
    """Each agent's last logged state and reason, with its user id."""
    with path.ctx.db.session() as session:
        latest = (
            select(func.max(col(ContactEvent.seq)))
            .where(col(ContactEvent.type) == "agent.state_changed")
            .group_by(col(ContactEvent.agent))
        )
        rows = session.exec(select(ContactEvent).where(col(ContactEvent.seq).in_(latest))).all()
        names = [r.agent for r in rows if r.agent]
        users = session.exec(select(User).where(col(User.username).in_(names))).all()
        ids = {u.username: u.id for u in users}
    states: dict[str, tuple[str, str | None, int | None]] = {}
    for row in rows:
        if not row.agent:
            continue
        data = json.loads(row.payload or "{}")
        states[row.agent] = (str(data.get("state")), data.get("reason"), ids.get(row.agent))
    return states


async def restore_agents(path: CallPath) -> int:
    """Sign agents back in as their last logged state says; returns how many."""
    states = await path.ctx.db.run(last_agent_states, path)
    config = path._config
    count = 0
    for username, (state, reason, user_id) in sorted(states.items()):
        profile = config.agents.get(username) if config is not None else None
        if profile is None or state == S.SIGNED_OUT.value:
            continue
        if user_id is not None:
            path.user_ids.setdefault(username, user_id)
        ready = state in (S.READY.value, S.OFFERED.value)
        events = path.engine.sign_in(agent_id=username, skills=profile.skills, ready=ready)
        keep = None
        if not ready:
            keep = reason if state == S.NOT_READY.value and reason else FAILOVER_REASON
            if keep != "signed_in":
                events += path.engine.set_not_ready(agent_id=username, reason=keep)
        # The agent's own state, when it is what the log already says, is only pushed to the
        # desks; anything else (a changed state, offers of waiting callers) is logged as usual.
        final = (S.READY.value, None) if ready else (S.NOT_READY.value, keep)
        idle = (S.READY.value, S.NOT_READY.value)
        own = [
            e
            for e in events
            if isinstance(e, AgentStateChanged) and e.agent == username and e.state in idle
        ]
        if final == (state, reason):
            for event in own:
                await path._push(event)
            events = [e for e in events if e not in own]
        await path.apply(events)
        count += 1
    return count


async def take_over(path: CallPath) -> TakeoverReport:
    """Rebuild the ACD on a new leader: parked callers first, then the agents."""
    started = time.monotonic()
    callers = await requeue(path, await waiting_callers(path))
    agents = await restore_agents(path)
    report = TakeoverReport(
        callers=callers, agents=agents, seconds=round(time.monotonic() - started, 3)
    )
    log.warning(
        "switch leader took over: %d waiting callers, %d agents in %.3f s",
        report.callers,
        report.agents,
        report.seconds,
    )
    return report
