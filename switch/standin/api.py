"""``api`` commands with the exact replies of src/mod/applications/mod_commands/mod_commands.c."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable

from switch.standin.apps import Apps
from switch.standin.channels import Channel
from switch.standin.core import Switch

Route = Callable[[Channel, str], Awaitable[None]]

KILL_SYNTAX = "<uuid> [cause]"
TRANSFER_SYNTAX = "<uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]"
BROADCAST_SYNTAX = "<uuid> <path> [aleg|bleg|holdb|both]"
HOLD_SYNTAX = "[off|toggle] <uuid> [<display>]"
SETVAR_SYNTAX = "<uuid> <var> [value]"
GETVAR_SYNTAX = "<uuid> <var>"
UUID_SYNTAX = "<uuid> <other_uuid>"
SESS_REC_SYNTAX = "<uuid> [start|stop|mask|unmask] <path> [<limit>]"
ORIGINATE_SYNTAX = (
    "<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] "
    "[<cid_name>] [<cid_num>] [<timeout_sec>]"
)
CHANNEL_COLUMNS = [
    "uuid",
    "direction",
    "created",
    "created_epoch",
    "name",
    "state",
    "cid_name",
    "cid_num",
    "ip_addr",
    "dest",
    "application",
    "application_data",
    "dialplan",
    "context",
    "read_codec",
    "read_rate",
    "read_bit_rate",
    "write_codec",
    "write_rate",
    "write_bit_rate",
    "secure",
    "hostname",
    "presence_id",
    "presence_data",
    "accountcode",
    "callstate",
    "callee_name",
    "callee_num",
    "callee_direction",
    "call_uuid",
    "sent_callee_name",
    "sent_callee_num",
    "initial_cid_name",
    "initial_cid_num",
    "initial_ip_addr",
    "initial_dest",
    "initial_dialplan",
    "initial_context",
]


def parse_dial_string(text: str) -> tuple[dict[str, str], str]:
    """``{a=1,b='x y'}endpoint`` → variables and endpoint."""
    text = text.strip()
    variables: dict[str, str] = {}
    while text.startswith(("{", "[")):
        close = "}" if text[0] == "{" else "]"
        end = text.find(close)
        if end < 0:
            break
        for part in re.findall(r"(?:[^,']|'[^']*')+", text[1:end]):
            name, _, value = part.partition("=")
            if name:
                variables[name.strip()] = value.strip().strip("'")
        text = text[end + 1 :]
    return variables, text


class Api:
    """Dispatches api command lines to the stand-in's switch."""

    def __init__(self, switch: Switch, apps: Apps, route: Route) -> None:
        self.switch = switch
        self.apps = apps
        self.route = route
        self.tasks: set[asyncio.Task[object]] = set()

    def spawn(self, coro: Awaitable[object]) -> None:
        """Run ``coro`` in the background and keep a reference to it."""

        async def run() -> object:
            return await coro

        task = asyncio.ensure_future(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def execute(self, command: str, arg: str) -> str | None:
        """The command's output, or None when no such api command exists."""
        handler = getattr(self, f"cmd_{command.lower()}", None)
        if handler is None:
            return None
        result: str = await handler(arg.strip())
        return result

    def _locate(self, uuid: str) -> Channel | None:
        ch = self.switch.channels.get(uuid)
        return ch if ch is not None and ch.alive else None

    # -- information --------------------------------------------------------------------------

    async def cmd_status(self, arg: str) -> str:
        up = max(0, self.switch.clock.now_us() - self.switch.started_us) // 1_000_000
        days, rem = divmod(up, 86400)
        hours, rem = divmod(rem, 3600)
        minutes, seconds = divmod(rem, 60)
        return (
            f"UP 0 years, {days} days, {hours} hours, {minutes} minutes, {seconds} seconds, "
            "0 milliseconds, 0 microseconds\n"
            "FreeSWITCH (Version 1.10.11-release 64bit) is ready\n"
            f"{self.switch.sessions_since_startup} session(s) since startup\n"
            f"{len(self.switch.channels)} session(s) - peak 0, last 5min 0 \n"
            "0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n"
            "1000 session(s) max\n"
            "min idle cpu 0.00/98.00\n"
            "Current Stack Size/Max 240K/8192K\n"
        )

    async def cmd_uptime(self, arg: str) -> str:
        return str(max(0, self.switch.clock.now_us() - self.switch.started_us) // 1_000_000)

    async def cmd_show(self, arg: str) -> str:
        words = arg.split()
        if not words or words[0].lower() != "channels":
            return (
                "-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|"
                "channels [count|like <match string>]|calls|detailed_calls|bridged_calls|"
                "detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|"
                "interfaces|interface_types|tasks|limits|status\n"
            )
        rows = [self._channel_row(ch) for ch in self.switch.channels.values() if ch.alive]
        as_json = len(words) >= 3 and words[1].lower() == "as" and words[2].lower() == "json"
        if len(words) >= 2 and words[1].lower() == "count":
            return f"\n{len(rows)} total.\n"
        if as_json:
            if not rows:
                return '{"row_count": 0}\n'
            return json.dumps({"row_count": len(rows), "rows": rows}, separators=(",", ":"))
        lines = [",".join(CHANNEL_COLUMNS)]
        lines += [",".join(row[c] for c in CHANNEL_COLUMNS) for row in rows]
        return "\n".join(lines) + f"\n\n{len(rows)} total.\n"

    def _channel_row(self, ch: Channel) -> dict[str, str]:
        p = ch.profile
        app = ch.variables.get("current_application", "")
        return {
            "uuid": ch.uuid,
            "direction": ch.direction,
            "created": ch.variables.get("created_local", ""),
            "created_epoch": str(ch.created_epoch),
            "name": ch.name,
            "state": ch.running_state.name,
            "cid_name": p.caller_id_name,
            "cid_num": p.caller_id_number,
            "ip_addr": p.network_addr,
            "dest": p.destination_number,
            "application": app,
            "application_data": ch.variables.get("current_application_data", ""),
            "dialplan": p.dialplan,
            "context": p.context,
            "read_codec": "PCMA" if ch.media_ready else "",
            "read_rate": "8000" if ch.media_ready else "",
            "read_bit_rate": "64000" if ch.media_ready else "",
            "write_codec": "PCMA" if ch.media_ready else "",
            "write_rate": "8000" if ch.media_ready else "",
            "write_bit_rate": "64000" if ch.media_ready else "",
            "secure": "",
            "hostname": self.switch.config.hostname,
            "presence_id": ch.presence_id,
            "presence_data": "",
            "accountcode": "",
            "callstate": ch.call_state,
            "callee_name": p.callee_id_name or "",
            "callee_num": p.callee_id_number or "",
            "callee_direction": "",
            "call_uuid": ch.call_uuid,
            "sent_callee_name": "",
            "sent_callee_num": "",
            "initial_cid_name": p.caller_id_name,
            "initial_cid_num": p.caller_id_number,
            "initial_ip_addr": p.network_addr,
            "initial_dest": p.destination_number,
            "initial_dialplan": p.dialplan,
            "initial_context": p.context,
        }

    # -- channel commands ---------------------------------------------------------------------

    async def cmd_uuid_kill(self, arg: str) -> str:
        if not arg:
            return f"-USAGE: {KILL_SYNTAX}\n"
        uuid, _, cause = arg.partition(" ")
        ch = self._locate(uuid)
        if ch is None:
            return "-ERR No Such Channel!\n"
        self.switch.hangup(ch, cause.strip() or "NORMAL_CLEARING")
        return "+OK\n"

    async def cmd_uuid_answer(self, arg: str) -> str:
        ch = self._locate(arg) if arg else None
        if ch is None:
            return "-ERROR\n"
        self.switch.answer(ch)
        return ""

    async def cmd_uuid_pre_answer(self, arg: str) -> str:
        ch = self._locate(arg) if arg else None
        if ch is None:
            return "-ERROR\n"
        self.switch.pre_answer(ch)
        return ""

    async def cmd_uuid_exists(self, arg: str) -> str:
        return "true" if self._locate(arg) is not None else "false"

    async def cmd_uuid_setvar(self, arg: str) -> str:
        parts = arg.split(" ", 2)
        if len(parts) not in (2, 3) or not parts[0]:
            return f"-USAGE: {SETVAR_SYNTAX}\n"
        ch = self._locate(parts[0])
        if ch is None:
            return "-ERR No Such Channel!\n"
        if not parts[1]:
            return "-ERR No variable specified\n"
        ch.set_variable(parts[1], parts[2] if len(parts) == 3 else None)
        return "+OK\n"

    async def cmd_uuid_getvar(self, arg: str) -> str:
        parts = arg.split()
        if len(parts) < 2:
            return f"-USAGE: {GETVAR_SYNTAX}\n"
        ch = self._locate(parts[0])
        if ch is None:
            return "-ERR No Such Channel!\n"
        return ch.variables.get(parts[1], "_undef_")

    async def cmd_uuid_hold(self, arg: str) -> str:
        parts = arg.split()
        if not parts:
            return f"-USAGE: {HOLD_SYNTAX}\n"
        mode = parts[0].lower()
        uuid = parts[1] if mode in ("off", "toggle") and len(parts) > 1 else parts[0]
        ch = self._locate(uuid)
        if ch is None:
            return "-ERR Operation Failed\n"
        on = not ch.held if mode == "toggle" else mode != "off"
        return "+OK Success\n" if self.switch.hold(ch, on) else "-ERR Operation Failed\n"

    async def cmd_uuid_bridge(self, arg: str) -> str:
        parts = arg.split()
        if len(parts) < 2:
            return f"-USAGE: {UUID_SYNTAX}\n"
        a, b = self._locate(parts[0]), self._locate(parts[1])
        if a is None or b is None:
            return "-ERR Invalid uuid\n"
        for ch in (a, b):
            if ch.bridged_to is not None:
                partner = self.switch.unbridge(ch)
                if partner is not None and partner not in (a, b):
                    self.switch.release(partner)
            self.switch.hold(ch, False)
        self.switch.answer(a)
        self.switch.answer(b)
        self.switch.bridge(a, b)
        return f"+OK {b.uuid}\n"

    async def cmd_uuid_transfer(self, arg: str) -> str:
        parts = arg.split()
        if len(parts) < 2 or len(parts) > 5:
            return f"-USAGE: {TRANSFER_SYNTAX}\n"
        ch = self._locate(parts[0])
        if ch is None:
            return "-ERR No Such Channel!\n"
        rest = parts[1:]
        leg = ""
        if rest[0].startswith("-"):
            leg, rest = rest[0][1:].lower(), rest[1:]
        if not rest:
            return f"-USAGE: {TRANSFER_SYNTAX}\n"
        dest = rest[0]
        dialplan = rest[1] if len(rest) > 1 else "XML"
        partner = self.switch.channels.get(ch.bridged_to) if ch.bridged_to else None
        targets = [ch]
        if leg == "bleg" and partner is not None:
            targets = [partner]
        elif leg == "both" and partner is not None:
            targets = [ch, partner]
        for target in targets:
            self._transfer(target, dest, dialplan, keep={t.uuid for t in targets})
        return "+OK\n"

    def _transfer(self, ch: Channel, dest: str, dialplan: str, *, keep: set[str]) -> None:
        partner = self.switch.unbridge(ch) if ch.bridged_to else None
        if partner is not None and partner.uuid not in keep and partner.alive:
            self.switch.release(partner)
        ch.profile.transfer = self.switch.clock.now_us()
        ch.profile.destination_number = dest
        if dialplan.lower() == "inline":
            self.spawn(self._inline(ch, dest))
        else:
            self.spawn(self.route(ch, dest))

    async def _inline(self, ch: Channel, dest: str) -> None:
        """The inline dialplan (inline_dialplan_hunt in mod_dptools.c): ``app:arg,app:arg``."""
        ch.profile.dialplan = "inline"
        # The transfer's pending state change ends a running eavesdrop loop first.
        await self.apps.interrupt(ch)
        for step in dest.split(","):
            app, _, arg = step.partition(":")
            if not ch.alive:
                return
            await self.apps.execute(ch, app, arg)

    async def cmd_uuid_broadcast(self, arg: str) -> str:
        parts = arg.split()
        if len(parts) < 2:
            return f"-USAGE: {BROADCAST_SYNTAX}\n"
        ch = self._locate(parts[0])
        if ch is not None:
            app, _, app_arg = parts[1].partition("::")
            if app_arg:
                self.spawn(self.apps.execute(ch, app, app_arg))
            else:
                self.spawn(self.apps.execute(ch, "playback", parts[1]))
        return "+OK Message Sent\n"

    async def cmd_uuid_record(self, arg: str) -> str:
        parts = arg.split()
        if len(parts) < 3:
            return f"-USAGE: {SESS_REC_SYNTAX}\n"
        ch = self._locate(parts[0])
        if ch is None:
            return "-ERR Cannot locate session!\n"
        action, path = parts[1].lower(), parts[2]
        if action == "start":
            ok = self.switch.record_start(ch, path)
            return "+OK Success\n" if ok else "-ERR Cannot record session!\n"
        if action == "stop":
            ok = self.switch.record_stop(ch, path)
            return "+OK Success\n" if ok else "-ERR Cannot stop record session!\n"
        if action in ("mask", "unmask"):
            return (
                "+OK Success\n"
                if path in self.switch.recordings.get(ch.uuid, {})
                else "-ERR Cannot mask recording session!\n"
            )
        return f"-USAGE: {SESS_REC_SYNTAX}\n"

    async def cmd_uuid_send_dtmf(self, arg: str) -> str:
        parts = arg.split()
        if len(parts) < 2:
            return "-USAGE: <uuid> <dtmf_data>\n"
        ch = self._locate(parts[0])
        if ch is None:
            return "-ERR Cannot locate session!\n"
        partner = self.switch.channels.get(ch.bridged_to) if ch.bridged_to else None
        for digit in parts[1]:
            if partner is not None:
                self.switch.dtmf(partner, digit)
        return ""

    async def cmd_originate(self, arg: str) -> str:
        if not arg:
            return f"-USAGE {ORIGINATE_SYNTAX}\n"
        parts = arg.split(" ")
        if arg.startswith(("{", "[")):
            end = arg.find("}") if arg.startswith("{") else arg.find("]")
            head, _, tail = arg[end + 1 :].partition(" ")
            parts = [arg[: end + 1] + head, *tail.split(" ")] if tail else [arg[: end + 1] + head]
        parts = [p for p in parts if p]
        if len(parts) < 2 or len(parts) > 7:
            return f"-USAGE: {ORIGINATE_SYNTAX}\n"
        timeout = float(parts[6]) if len(parts) > 6 else None
        ch, cause = await self.apps.originate(
            parts[0],
            cid_name=parts[4] if len(parts) > 4 and parts[4] != "undef" else None,
            cid_num=parts[5] if len(parts) > 5 and parts[5] != "undef" else None,
            ring_limit=timeout,
        )
        if ch is None:
            return f"-ERR {cause}\n"
        target = parts[1]
        if target.startswith("&") and len(target) > 1:
            name, _, app_arg = target[1:].partition("(")
            self.spawn(self.apps.execute(ch, name, app_arg.rstrip(")")))
        else:
            self.spawn(self.route(ch, target))
        return f"+OK {ch.uuid}\n"
