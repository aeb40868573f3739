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

from switch.standin.channels import Channel, Header, State
from switch.standin.core import Switch

Router = Callable[[Channel, str], Awaitable[None]]
Originator = Callable[..., Awaitable[tuple[Channel | None, str]]]

PROMPT_SECONDS = 1.0


class Apps:
    """Runs applications on channels of one switch."""

    def __init__(self, switch: Switch, originate: Originator) -> None:
        self.switch = switch
        self.originate = originate
        self.conference_members: dict[str, dict[str, int]] = {}
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
        """Listen (whisper / barge by eavesdrop_* variables or DTMF 2/3 in FreeSWITCH)."""
        target = self.switch.channels.get(arg.strip())
        if target is None:
            return
        ch.variables["eavesdrop_target_uuid"] = target.uuid
        self.switch.answer(ch)
        await self._until_either_ends(ch, target)

    async def app_three_way(self, ch: Channel, arg: str) -> None:
        await self.app_eavesdrop(ch, arg)

    async def _until_either_ends(self, ch: Channel, target: Channel) -> None:
        a, b = self.switch.ended.get(ch.uuid), self.switch.ended.get(target.uuid)
        if a is None or b is None:
            return
        tasks = {asyncio.ensure_future(a.wait()), asyncio.ensure_future(b.wait())}
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()

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
