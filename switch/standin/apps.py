"""Dialplan applications the stand-in runs, with CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE.

switch_core_session_exec (src/switch_core_session.c) fires CHANNEL_EXECUTE, runs the app and
fires CHANNEL_EXECUTE_COMPLETE with Application, Application-Data (when there is data),
Application-Response (``_none_`` unless the app set one) and Application-UUID.
"""

from __future__ import annotations

import asyncio
import re
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from switch.standin.channels import Channel, Header, State
from switch.standin.core import Switch

Router = Callable[[Channel, str], Awaitable[None]]
Originator = Callable[..., Awaitable[tuple[Channel | None, str]]]

PROMPT_SECONDS = 1.0

# switch_eavesdrop_flag_t (src/include/switch_types.h)
MUX_READ = 1 << 0
MUX_WRITE = 1 << 1
DTMF = 1 << 2
BRIDGE_READ = 1 << 4
BRIDGE_WRITE = 1 << 5


def _true(value: str | None) -> bool:
    """switch_true: yes, on, true, t, enabled, active, allow, or a non-zero number."""
    if value is None:
        return False
    text = value.strip().lower()
    if text in ("yes", "on", "true", "t", "enabled", "active", "allow"):
        return True
    return text.lstrip("-").isdigit() and int(text) != 0


def _dtmf_flags(flags: int, digit: str) -> int:
    """The eavesdrop loop's digit commands (switch_ivr_async.c)."""
    mux = {"1": MUX_READ, "2": MUX_WRITE, "3": MUX_READ | MUX_WRITE, "0": 0}.get(digit)
    if mux is None:
        return flags
    return (flags & ~(MUX_READ | MUX_WRITE)) | mux


@dataclass
class Eavesdrop:
    """One eavesdropper's media bug on a target channel."""

    target: str
    flags: int
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Apps:
    """Runs applications on channels of one switch."""

    def __init__(self, switch: Switch, originate: Originator) -> None:
        self.switch = switch
        self.originate = originate
        self.conference_members: dict[str, dict[str, int]] = {}
        self.eavesdrops: dict[str, Eavesdrop] = {}
        """Eavesdropper channel UUID -> its media bug (who hears whom: :meth:`hears`)."""
        self._member_ids = 0

    async def execute(self, ch: Channel, app: str, arg: str, *, app_uuid: str | None = None) -> str:
        """Run ``app`` with events around it; return its Application-Response."""
        sw = self.switch
        app_uuid = app_uuid or str(uuidlib.uuid4())
        ch.variables["current_application"] = app
        if arg:
            ch.variables["current_application_data"] = arg
        else:
            ch.variables.pop("current_application_data", None)
        info: list[Header] = [("Application", app)]
        if arg:
            info.append(("Application-Data", arg))
        sw.fire("CHANNEL_EXECUTE", ch, post=[*info, ("Application-UUID", app_uuid)])
        handler = getattr(self, f"app_{app}", None)
        response = "_none_"
        ch.apps_running += 1
        try:
            if handler is not None:
                result = await handler(ch, arg)
                if isinstance(result, str):
                    response = result
        finally:
            ch.apps_running -= 1
            ch.app_returned.set()
        ch.variables.pop("current_application_response", None)
        sw.fire(
            "CHANNEL_EXECUTE_COMPLETE",
            ch,
            post=[*info, ("Application-Response", response), ("Application-UUID", app_uuid)],
        )
        if not ch.alive and ch.apps_running == 0:
            sw.finish_hangup(ch)
        return response

    # -- call control -------------------------------------------------------------------------

    async def app_answer(self, ch: Channel, arg: str) -> None:
        self.switch.answer(ch)

    async def app_pre_answer(self, ch: Channel, arg: str) -> None:
        self.switch.pre_answer(ch)

    async def app_hangup(self, ch: Channel, arg: str) -> None:
        self.switch.hangup(ch, arg.strip() or "NORMAL_CLEARING")

    async def app_set(self, ch: Channel, arg: str) -> None:
        name, _, value = arg.partition("=")
        if name:
            ch.set_variable(name, value or None)

    async def app_export(self, ch: Channel, arg: str) -> None:
        await self.app_set(ch, arg)

    async def app_sleep(self, ch: Channel, arg: str) -> None:
        await self.switch.wait_or_hangup(ch, int(arg or "0") / 1000)

    async def app_park(self, ch: Channel, arg: str) -> None:
        ch.state = ch.running_state = State.CS_PARK
        self.switch.fire("CHANNEL_PARK", ch)
        await self.switch.wait_or_hangup(ch, None)

    # -- media --------------------------------------------------------------------------------

    async def app_playback(self, ch: Channel, arg: str) -> str:
        if ch.answer_state not in ("early", "answered"):
            self.switch.pre_answer(ch)
        alive = await self.switch.wait_or_hangup(ch, PROMPT_SECONDS)
        return "FILE PLAYED" if alive else "FILE NOT FOUND"

    async def app_play_and_get_digits(self, ch: Channel, arg: str) -> None:
        """min max tries timeout terminators file invalid_file var_name regexp [digit_timeout]."""
        parts = arg.split()
        if len(parts) < 8:
            return
        low, high, tries, timeout_ms = (int(p) for p in parts[:4])
        terminators, var_name = parts[4], parts[7]
        pattern = parts[8] if len(parts) > 8 else r"\d+"
        digit_timeout = int(parts[9]) / 1000 if len(parts) > 9 else timeout_ms / 1000
        queue = self.switch.digits.get(ch.uuid)
        if queue is None:
            return
        for _ in range(max(1, tries)):
            if not await self.switch.wait_or_hangup(ch, 0):
                return
            collected = await self._collect(
                ch, queue, high, terminators, timeout_ms / 1000, digit_timeout
            )
            if collected is None:
                return
            if low <= len(collected) <= high and re.fullmatch(pattern, collected):
                ch.variables[var_name] = collected
                return
        ch.variables.pop(var_name, None)

    async def _collect(
        self,
        ch: Channel,
        queue: asyncio.Queue[str],
        high: int,
        terminators: str,
        first_timeout: float,
        digit_timeout: float,
    ) -> str | None:
        digits = ""
        while len(digits) < high:
            wait = first_timeout if not digits else digit_timeout
            getter = asyncio.ensure_future(queue.get())
            ended = self.switch.ended.get(ch.uuid)
            if ended is None:
                getter.cancel()
                return None
            ender = asyncio.ensure_future(ended.wait())
            done, _ = await asyncio.wait(
                {getter, ender},
                timeout=wait * self.switch.clock.scale,
                return_when=asyncio.FIRST_COMPLETED,
            )
            ender.cancel()
            if getter not in done:
                getter.cancel()
                return None if ender in done else digits
            digit = getter.result()
            if digit in terminators:
                break
            digits += digit
        return digits

    async def app_record_session(self, ch: Channel, arg: str) -> None:
        self.switch.record_start(ch, arg.split()[0] if arg else "")

    async def app_stop_record_session(self, ch: Channel, arg: str) -> None:
        self.switch.record_stop(ch, arg.strip() or "all")

    # -- bridging and supervision -------------------------------------------------------------

    async def app_bridge(self, ch: Channel, arg: str) -> None:
        b, cause = await self.originate(arg, origin=ch)
        if b is None:
            ch.variables["originate_disposition"] = cause
            ch.variables["DIALSTATUS"] = cause
            return
        self.switch.answer(ch)
        self.switch.bridge(ch, b)
        await self.switch.wait_or_hangup(ch, None)

    async def app_att_xfer(self, ch: Channel, arg: str) -> None:
        """Consult then transfer: hold the partner, call ``arg``; on our hangup join them."""
        sw = self.switch
        partner = sw.channels.get(ch.bridged_to) if ch.bridged_to else None
        if partner is None:
            return
        sw.unbridge(ch)
        partner.other = None
        sw.hold(partner, True)
        consult, cause = await self.originate(arg, origin=ch)
        if consult is None:
            ch.variables["originate_disposition"] = cause
            sw.hold(partner, False)
            sw.bridge(ch, partner)
            return
        sw.bridge(ch, consult)
        ended = sw.ended.get(ch.uuid)
        consult_end = sw.ended.get(consult.uuid)
        if ended is None or consult_end is None:
            return
        waiters = {asyncio.ensure_future(ended.wait()), asyncio.ensure_future(consult_end.wait())}
        ch.bridged_to = None
        consult.bridged_to = None
        _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if partner.alive and consult.alive:
            sw.hold(partner, False)
            sw.bridge(partner, consult)
        elif partner.alive and ch.alive:
            sw.hold(partner, False)
            sw.bridge(ch, partner)

    async def app_eavesdrop(self, ch: Channel, arg: str) -> None:
        """mod_dptools eavesdrop_function: flags from the eavesdropper's channel variables.

        ``eavesdrop_enable_dtmf`` (default on) lets the eavesdropper's digits change the mode;
        ``eavesdrop_whisper_aleg`` sets ED_MUX_READ, ``eavesdrop_whisper_bleg`` ED_MUX_WRITE;
        ``eavesdrop_bridge_aleg`` / ``_bleg`` choose what is heard (both when neither is set).
        """
        v = ch.variables
        flags = DTMF
        if "eavesdrop_enable_dtmf" in v:
            flags = DTMF if _true(v["eavesdrop_enable_dtmf"]) else 0
        if _true(v.get("eavesdrop_whisper_aleg")):
            flags |= MUX_READ
        if _true(v.get("eavesdrop_whisper_bleg")):
            flags |= MUX_WRITE
        if _true(v.get("eavesdrop_bridge_aleg")):
            flags |= BRIDGE_READ
        if _true(v.get("eavesdrop_bridge_bleg")):
            flags |= BRIDGE_WRITE
        await self._eavesdrop(ch, arg.strip(), flags)

    async def app_three_way(self, ch: Channel, arg: str) -> None:
        """mod_dptools three_way_function: eavesdrop with ED_MUX_READ | ED_MUX_WRITE, no DTMF."""
        await self._eavesdrop(ch, arg.strip(), MUX_READ | MUX_WRITE)

    async def _eavesdrop(self, ch: Channel, uuid: str, flags: int) -> None:
        """switch_ivr_eavesdrop_session: a media bug on the target until either side ends.

        ED_MUX_READ mixes the eavesdropper into the target's read stream (heard by the target's
        bridge partner); ED_MUX_WRITE into its write stream (heard by the target's own party).
        Digits (with ED_DTMF): 1 read only, 2 write only, 3 both, 0 neither, * stop. A transfer
        of the eavesdropper (its state change pending) also ends the loop.
        """
        target = self.switch.channels.get(uuid)
        if target is None or not target.alive or not target.media_ready:
            return
        ch.variables["eavesdrop_target_uuid"] = target.uuid
        self.switch.pre_answer(ch)
        if not flags & (BRIDGE_READ | BRIDGE_WRITE):
            flags |= BRIDGE_READ | BRIDGE_WRITE
        spy = Eavesdrop(target=target.uuid, flags=flags)
        self.eavesdrops[ch.uuid] = spy
        try:
            await self._spy_loop(ch, target, spy)
        finally:
            self.eavesdrops.pop(ch.uuid, None)
            spy.done.set()

    async def _spy_loop(self, ch: Channel, target: Channel, spy: Eavesdrop) -> None:
        mine, theirs = self.switch.ended.get(ch.uuid), self.switch.ended.get(target.uuid)
        digits = self.switch.digits.get(ch.uuid)
        if mine is None or theirs is None or digits is None:
            return
        enders = {
            asyncio.ensure_future(mine.wait()),
            asyncio.ensure_future(theirs.wait()),
            asyncio.ensure_future(spy.stop.wait()),
        }
        try:
            while True:
                getter = asyncio.ensure_future(digits.get()) if spy.flags & DTMF else None
                waiting = enders | ({getter} if getter is not None else set())
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if getter is not None and getter not in done:
                    getter.cancel()
                if done & enders:
                    return
                if getter is not None and getter.result() == "*":
                    return
                if getter is not None:
                    spy.flags = _dtmf_flags(spy.flags, getter.result())
        finally:
            for task in enders:
                task.cancel()

    async def interrupt(self, ch: Channel) -> None:
        """A transfer of ``ch``: a running eavesdrop returns before the new dialplan runs."""
        spy = self.eavesdrops.get(ch.uuid)
        if spy is not None:
            spy.stop.set()
            await spy.done.wait()

    def hears(self, uuid: str) -> set[str]:
        """Whose voices the party on channel ``uuid`` hears (bridge partner and eavesdrops)."""
        sw = self.switch
        ch = sw.channels.get(uuid)
        if ch is None or not ch.alive:
            return set()
        heard: set[str] = set()
        if ch.bridged_to is not None:
            heard.add(ch.bridged_to)
        spy = self.eavesdrops.get(uuid)
        if spy is not None:
            target = sw.channels.get(spy.target)
            if spy.flags & BRIDGE_READ:
                heard.add(spy.target)
            if spy.flags & BRIDGE_WRITE and target is not None and target.bridged_to:
                heard.add(target.bridged_to)
        for spy_uuid, other in self.eavesdrops.items():
            target = sw.channels.get(other.target)
            if target is None:
                continue
            if other.target == uuid and other.flags & MUX_WRITE:
                heard.add(spy_uuid)
            if target.bridged_to == uuid and other.flags & MUX_READ:
                heard.add(spy_uuid)
        heard.discard(uuid)
        return heard

    async def app_conference(self, ch: Channel, arg: str) -> None:
        """``name[@profile][+flags{mute|deaf|moderator}]``: member add / del events."""
        sw = self.switch
        spec = arg.split("+flags{")
        flags = spec[1].rstrip("}").split("|") if len(spec) > 1 else []
        name, _, profile = spec[0].partition("@")
        profile = profile or "default"
        members = self.conference_members.setdefault(name, {})
        self._member_ids += 1
        member_id = self._member_ids
        members[ch.uuid] = member_id
        sw.answer(ch)

        def member(action: str) -> None:
            sw.fire(
                "CUSTOM",
                ch,
                subclass="conference::maintenance",
                variables=False,
                post=[
                    ("Conference-Name", name),
                    ("Conference-Domain", sw.config.domain),
                    ("Conference-Size", str(len(members))),
                    ("Conference-Ghosts", "0"),
                    ("Conference-Profile-Name", profile),
                    ("Conference-Unique-ID", name),
                    ("Floor", "false"),
                    ("Video", "false"),
                    ("Hear", "false" if "deaf" in flags else "true"),
                    ("See", "true"),
                    ("Speak", "false" if "mute" in flags else "true"),
                    ("Talking", "false"),
                    ("Mute-Detect", "false"),
                    ("Member-ID", str(member_id)),
                    ("Member-Type", "moderator" if "moderator" in flags else "member"),
                    ("Member-Ghost", "false"),
                    ("Energy-Level", "100"),
                    ("Current-Energy", "0"),
                    ("Action", action),
                ],
            )

        member("add-member")
        await sw.wait_or_hangup(ch, None)
        members.pop(ch.uuid, None)
        member("del-member")

    # -- fax ----------------------------------------------------------------------------------

    async def app_rxfax(self, ch: Channel, arg: str) -> None:
        self.switch.answer(ch)
        pages = self.switch.fax_pages.get(ch.uuid, 1)
        if await self.switch.wait_or_hangup(ch, 3.0 * pages):
            self.switch.fax_result(ch, path=arg.strip(), pages=pages, receive=True)

    async def app_txfax(self, ch: Channel, arg: str) -> None:
        self.switch.answer(ch)
        pages = max(1, self.switch.fax_pages.get(ch.uuid, 1))
        alive = await self.switch.wait_or_hangup(ch, 3.0 * pages)
        self.switch.fax_result(ch, path=arg.strip(), pages=pages if alive else 0, receive=False)
