"""The IVR on FreeSWITCH's outbound socket: calendar, emergency, menus, then the ACD queue.

One :class:`IvrFlow` handles every call FreeSWITCH hands to the socket (F-1.2.1-F-1.2.6):

1. ``contact.received``; answer.
2. The business calendar (with emergency mode) decides: emergency guidance (then the disaster
   menu, or the other site's number, or the end), out-of-hours / closure guidance (end), or the
   line's menu tree.
3. Menus: prompt and one DTMF digit, a wrong or missing digit replays after the invalid-choice
   guidance, up to the menu's retries (``ivr.input_failed`` and the failure guidance after them).
   Each choice is ``ivr.menu_chosen``. A switchboard menu works only while the switchboard is
   open (holiday, year-end, closure and evening callers hear why not).
4. The queue of the chosen menu (``queue.joined``), hold music; the ACD runner does the rest.

The caller hanging up at any step ends the contact consistently (``contact.abandoned`` in the
IVR or queue, ``contact.ended`` after guidance); the socket dropping does not end a bridged call
(the ESL connection's events, reconciled after a reconnect, end it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuid_mod

from cms.events import EventType
from switch.acd.errors import UnknownQueue
from switch.calendar.errors import InvalidCalendarData
from switch.calendar.model import normalize_number
from switch.calendar.service import CalendarDecision, decide
from switch.callpath import fax
from switch.callpath.callback import callbacks_of
from switch.callpath.config import CallPathConfig, Choice, Line, MenuNode
from switch.callpath.core import MOH, CallPath, LiveCall
from switch.connection.errors import SwitchError
from switch.connection.outbound import OutboundSession, SessionState
from switch.scaleout.takeover import mark_queued

log = logging.getLogger(__name__)

MAX_MENU_STEPS = 12
"""A caller walking more menus than this (a loop in the tree) gets the failure guidance."""
BRIDGED_END_GRACE_S = 5.0
"""After the socket saw a bridged caller hang up, how long ESL gets to report who hung up."""
CLOSED_GUIDANCE = ("holiday", "year_end", "closure", "emergency")


class IvrFlow:
    """Runs one outbound session per call."""

    def __init__(self, path: CallPath) -> None:
        self.path = path

    async def handle(self, session: OutboundSession) -> None:
        """The whole IVR part of one call, then wait until the call is over."""
        path = self.path
        data = session.channel_data
        uuid = session.uuid or ""
        raw = (data.get("Caller-Destination-Number") if data is not None else None) or ""
        try:
            did = normalize_number(raw)
        except InvalidCalendarData:
            did = raw[:16]
        config = await path.load()
        line = config.lines.get(did)
        if line is not None and line.kind == "fax":
            await fax.receive(path, session, did=did)
            return
        call = LiveCall(
            contact_id=str(uuid_mod.uuid4()),
            caller_uuid=uuid,
            did=did,
            line_name=line.name_ja if line is not None else did,
            received_at=path.clock(),
        )
        path.remember(call)
        await path.log_events(
            [path.contact_event(call, EventType.CONTACT_RECEIVED, {"direction": "inbound"})]
        )
        try:
            await self._route(session, call, config, line)
        except SwitchError as exc:
            log.info("call %s: IVR stopped (%s)", call.contact_id, exc.error_id)
        await self._until_over(session, call)

    async def _until_over(self, session: OutboundSession, call: LiveCall) -> None:
        if call.done.is_set():
            return
        done = asyncio.ensure_future(call.done.wait())
        gone = asyncio.ensure_future(session.wait_for_state(SessionState.HUNG_UP))
        try:
            await asyncio.wait({done, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (done, gone):
                task.cancel()
        if call.done.is_set():
            return
        if session.state is not SessionState.HUNG_UP:
            # The socket closed without a hangup: FreeSWITCH keeps a bridged call; ESL (or its
            # reconciliation after a reconnect) reports how the call ends.
            return
        if call.bridged:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(call.done.wait(), BRIDGED_END_GRACE_S)
        await self.path.caller_gone(call)

    # ------------------------------------------------------------------ routing

    async def _route(
        self, session: OutboundSession, call: LiveCall, config: CallPathConfig, line: Line | None
    ) -> None:
        path = self.path
        await session.answer()
        if line is None:
            log.warning("call to an unconfigured number %s", call.did)
            await self._end_with(session, call, "guidance_failed")
            return
        decision: CalendarDecision = decide(config.calendar(), did=call.did, at=path.wall_clock())
        if decision.guidance == "emergency":
            await self._guidance(session, call, "emergency", config.emergency.message_key)
            menu = config.nodes.get(config.emergency.menu_node or "")
            if menu is not None:
                await self._menus(session, call, config, decision, menu)
                return
            number = config.emergency.overflow_number
            if number:
                await self._overflow_site(session, call, number)
                return
            await self._hangup(session, call)
            return
        if not decision.live_open:
            guidance = decision.guidance if decision.guidance != "normal" else "out_of_hours"
            await self._guidance(session, call, guidance, f"guidance_{guidance}")
            await self._hangup(session, call)
            return
        root = config.nodes.get(line.root_node or "")
        if root is None:
            log.warning("line %s has no root menu", call.did)
            await self._end_with(session, call, "guidance_failed")
            return
        await self._menus(session, call, config, decision, root)

    async def _menus(
        self,
        session: OutboundSession,
        call: LiveCall,
        config: CallPathConfig,
        decision: CalendarDecision,
        node: MenuNode,
    ) -> None:
        path = self.path
        current = node
        for _ in range(MAX_MENU_STEPS):
            if current.queue_id is not None:
                await self._leaf(session, call, config, decision, current)
                return
            picked = await self._ask(session, call, current)
            if picked is None:
                return
            digit, choice = picked
            if choice.kind == "menu":
                target = config.nodes.get(choice.target)
                if target is None:
                    break
                path.log_soon(
                    [
                        path.contact_event(
                            call,
                            EventType.IVR_MENU_CHOSEN,
                            {"menu": target.menu_key, "digits": digit},
                        )
                    ]
                )
                current = target
                continue
            path.log_soon(  # in order, but the caller's way to the queue does not wait for it
                [
                    path.contact_event(
                        call, EventType.IVR_MENU_CHOSEN, {"menu": current.menu_key, "digits": digit}
                    )
                ]
            )
            leaf = MenuNode(
                **{
                    **current.__dict__,
                    "queue_id": choice.target,
                    "switchboard": choice.kind == "switchboard",
                }
            )
            await self._leaf(session, call, config, decision, leaf)
            return
        await self._end_with(session, call, "guidance_failed")

    async def _ask(
        self, session: OutboundSession, call: LiveCall, node: MenuNode
    ) -> tuple[str, Choice] | None:
        """Prompt and one digit, with retries; None (after the failure guidance) if none fit."""
        path = self.path
        last = "none"
        for attempt in range(1, node.retries + 1):
            digits = await session.play_and_get_digits(
                file=path.sound(node.prompt_key),
                min_digits=1,
                max_digits=1,
                tries=1,
                timeout_ms=node.timeout_ms,
                terminators="none",
                regexp="[0-9*#]",
            )
            if not session.active:
                return None
            choice = node.choices.get(digits)
            if choice is not None:
                return digits, choice
            last = "invalid" if digits else "none"
            if attempt < node.retries and node.invalid_key:
                await session.playback(path.sound(node.invalid_key))
        await path.log_events(
            [
                path.contact_event(
                    call,
                    EventType.IVR_INPUT_FAILED,
                    {"menu": node.menu_key, "attempts": node.retries, "last": last},
                )
            ]
        )
        await self._end_with(session, call, node.failed_key or "guidance_failed")
        return None

    async def _leaf(
        self,
        session: OutboundSession,
        call: LiveCall,
        config: CallPathConfig,
        decision: CalendarDecision,
        node: MenuNode,
    ) -> None:
        """The caller reached a queue's menu: switchboard check, then the ACD."""
        path = self.path
        call.menu = node
        if node.switchboard and not decision.switchboard_open:
            guidance = decision.guidance if decision.guidance in CLOSED_GUIDANCE else "out_of_hours"
            await self._guidance(session, call, guidance, "guidance_switchboard_closed")
            await self._hangup(session, call)
            return
        if not session.active:
            return
        queue_id = node.queue_id or ""
        call.queue_id = queue_id
        path.spawn(mark_queued(path, call))  # so a new leader finds the caller (scale-out)
        try:
            events = path.engine.enqueue(contact_id=call.contact_id, queue_id=queue_id)
        except UnknownQueue:
            call.queue_id = None
            log.warning("menu %s leads to unknown queue %s", node.node_id, queue_id)
            await self._end_with(session, call, "guidance_failed")
            return
        await path.apply(events)
        if path.stage_of(call.contact_id) is not None:
            with contextlib.suppress(SwitchError):
                await path.switch.control.broadcast(uuid=call.caller_uuid, path=MOH)
        await callbacks_of(path).on_queued(session, call)

    # ------------------------------------------------------------------ endings

    async def _guidance(
        self, session: OutboundSession, call: LiveCall, guidance: str, sound_key: str
    ) -> None:
        path = self.path
        call.guidance = True
        await path.log_events(
            [path.contact_event(call, EventType.IVR_GUIDANCE_PLAYED, {"guidance": guidance})]
        )
        await session.playback(path.sound(sound_key or f"guidance_{guidance}"))

    async def _end_with(self, session: OutboundSession, call: LiveCall, sound_key: str) -> None:
        call.guidance = True
        await session.playback(self.path.sound(sound_key))
        await self._hangup(session, call)

    async def _hangup(self, session: OutboundSession, call: LiveCall) -> None:
        await self.path.system_end(call)
        await session.hangup("NORMAL_CLEARING")

    async def _overflow_site(self, session: OutboundSession, call: LiveCall, number: str) -> None:
        """Emergency routing: hand the caller to the other site's number (N-BCP-1)."""
        path = self.path
        await path.log_events(
            [
                path.contact_event(
                    call,
                    EventType.CONTACT_TRANSFERRED,
                    {"kind": "blind", "destination": "emergency_overflow"},
                )
            ]
        )
        await path.system_end(call)
        await session.bridge(path.overflow_dial.format(number=number))
