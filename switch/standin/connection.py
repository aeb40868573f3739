"""One Event Socket connection as mod_event_socket serves it (inbound or outbound mode).

Reply texts from parse_command() in src/mod/event_handlers/mod_event_socket/mod_event_socket.c;
see docs/standin.md for the list and where each one comes from.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Protocol

from switch.esl import encode
from switch.standin.api import Api
from switch.standin.channels import Channel
from switch.standin.core import Switch
from switch.standin.events import FsEvent, core_headers

MAX_COMMAND = 64 * 1024


@dataclass
class Subscription:
    """What a listener asked for: event names, custom subclasses, filters, myevents."""

    fmt: str | None = None
    all_events: bool = False
    names: set[str] = field(default_factory=set)
    subclasses: set[str] = field(default_factory=set)
    filters: list[tuple[str, str]] = field(default_factory=list)
    my_uuid: str | None = None

    def wants(self, event: FsEvent) -> bool:
        """mod_event_socket's event_handler checks, in its order."""
        if self.fmt is None:
            return False
        if event.name == "CUSTOM":
            ok = (
                self.all_events
                or (event.subclass or "") in self.subclasses
                or ("CUSTOM" in self.names and not self.subclasses)
            )
        else:
            ok = self.all_events or event.name in self.names
        if not ok:
            return False
        if self.my_uuid is not None and event.get("Unique-ID") != self.my_uuid:
            return False
        if self.filters:
            return any(event.get(name) == value for name, value in self.filters)
        return True


class Connection:
    """Reads commands, writes replies and events; inbound (auth) or outbound (one channel)."""

    def __init__(
        self,
        hub: Hub,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        channel: Channel | None = None,
    ) -> None:
        self.hub = hub
        self.reader = reader
        self.writer = writer
        self.channel = channel
        self.authed = channel is not None
        self.sub = Subscription()
        self.linger: int | None = None
        self.running = True
        self.closed = asyncio.Event()
        self._held: list[bytes] = []

    # -- writing ------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Write now, or hold the bytes while the stand-in is stalled."""
        if self.writer.is_closing():
            return
        if self.hub.stalled:
            self._held.append(data)
            return
        if self._held:
            self.writer.write(b"".join(self._held))
            self._held.clear()
        self.writer.write(data)

    def deliver(self, event: FsEvent) -> None:
        """Queue an event for this listener if it subscribed to it."""
        if self.running and self.sub.wants(event):
            self.send(event.frame(self.sub.fmt or "plain"))

    def reply(self, text: str) -> None:
        """A command/reply; a leading ``~`` sends raw header lines."""
        if text.startswith("~"):
            self.send(encode.command_reply_raw(text[1:]))
        else:
            self.send(encode.command_reply(text))

    def abort(self) -> None:
        """Drop the TCP connection without any notice (fault injection)."""
        self.running = False
        transport = self.writer.transport
        if transport is not None:
            transport.abort()
        self.closed.set()

    async def disconnect(self) -> None:
        """send_disconnect then close, as at the end of listener_run."""
        if self.writer.is_closing():
            self.closed.set()
            return
        uuid = self.channel.uuid if self.channel is not None else None
        self.send(encode.disconnect_notice(controlled_session_uuid=uuid))
        self.running = False
        with contextlib.suppress(ConnectionError):
            await self.writer.drain()
        self.writer.close()
        self.closed.set()

    # -- reading ------------------------------------------------------------------------------

    async def _read_command(self) -> tuple[str, list[tuple[str, str]], bytes] | None:
        lines: list[str] = []
        while True:
            while self.hub.stalled:
                await self.hub.resumed.wait()
            raw = await self.reader.readline()
            if not raw:
                return None
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                if lines:
                    break
                continue
            lines.append(line)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        body = b""
        length = next((v for n, v in headers if n.lower() == "content-length"), None)
        if length is not None and length.isdigit() and 0 < int(length) <= MAX_COMMAND:
            body = await self.reader.readexactly(int(length))
        return lines[0], headers, body

    async def serve(self) -> None:
        """Greet, then answer commands until exit, auth failure or end of stream."""
        try:
            if self.channel is None:
                self.send(encode.auth_request())
            while self.running:
                command = await self._read_command()
                if command is None:
                    break
                await self.handle(*command)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.running = False
            self.closed.set()
            await self.hub.connection_closed(self)

    async def handle(self, line: str, headers: list[tuple[str, str]], body: bytes) -> None:
        """parse_command(): one command and its reply."""
        word, _, rest = line.partition(" ")
        cmd = word.lower()
        rest = rest.strip()
        if cmd == "exit" or cmd == "...":
            self.reply("+OK bye")
            await self.disconnect()
            return
        if not self.authed:
            if cmd == "auth":
                if rest == self.hub.password:
                    self.authed = True
                    self.reply("+OK accepted")
                else:
                    self.reply("-ERR invalid")
                    await self.disconnect()
            else:
                self.reply("-ERR command not found")
            return
        if self.channel is not None and cmd == "connect":
            self.send(self.connect_reply())
            return
        handler = getattr(self, f"cmd_{cmd}", None)
        if handler is None:
            self.reply("-ERR command not found")
            return
        await handler(rest, headers, body)

    def connect_reply(self) -> bytes:
        """The outbound ``connect`` reply: a CHANNEL_DATA event with Channel-* profile."""
        ch = self.channel
        if ch is None:
            return b""
        sw = self.hub.switch
        head = core_headers(sw.identity, "CHANNEL_DATA", None, sw.clock.now_us(), 0)
        head = [h for h in head if h[0] != "Event-Sequence"] + [
            ("Event-Sequence", str(sw.identity.core_uuid.count("-") + len(sw.channels)))
        ]
        headers = head + ch.profile.headers("Channel") + ch.data_headers()
        return encode.connect_reply(headers, async_mode=True, full=True)

    # -- commands -----------------------------------------------------------------------------

    async def cmd_event(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        words = rest.split()
        fmt = "plain"
        if words and words[0].lower() in ("plain", "json", "xml"):
            fmt = words.pop(0).lower()
        if not words:
            self.reply("-ERR no keywords supplied")
            return
        self.sub.fmt = fmt
        custom = False
        for word in words:
            upper = word.upper()
            if custom and upper not in ("ALL",) and "::" in word:
                self.sub.subclasses.add(word)
            elif upper == "ALL":
                self.sub.all_events = True
            elif upper == "CUSTOM":
                custom = True
                self.sub.names.add("CUSTOM")
            else:
                self.sub.names.add(upper)
        self.reply(f"+OK event listener enabled {fmt}")

    async def cmd_myevents(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        words = rest.split()
        uuid = self.channel.uuid if self.channel is not None else None
        fmt = "plain"
        for word in words:
            if word.lower() in ("plain", "json", "xml"):
                fmt = word.lower()
            elif self.channel is None:
                uuid = word
        if uuid is None or uuid not in self.hub.switch.channels:
            self.reply("-ERR invalid uuid")
            return
        self.sub.fmt = fmt
        self.sub.all_events = True
        self.sub.my_uuid = uuid
        self.reply("+OK Events Enabled")

    async def cmd_nixevent(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        words = rest.split()
        if not words:
            self.reply("-ERR no keywords supplied")
            return
        for word in words:
            if word.upper() == "ALL":
                self.sub.all_events = False
                self.sub.names.clear()
            else:
                self.sub.names.discard(word.upper())
                self.sub.subclasses.discard(word)
        self.reply("+OK events nixed")

    async def cmd_noevents(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        if self.sub.fmt is None:
            self.reply("-ERR not listening for events")
            return
        self.sub = Subscription()
        self.reply("+OK no longer listening for events")

    async def cmd_filter(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        words = rest.split(" ", 2)
        if words and words[0].lower() == "delete" and len(words) >= 2:
            name = words[1]
            value = words[2] if len(words) > 2 else None
            if name.lower() == "all":
                self.sub.filters.clear()
                self.reply("+OK filter deleted.")
                return
            self.sub.filters = [
                f for f in self.sub.filters if not (f[0] == name and value in (None, f[1]))
            ]
            shown = f"[{name}]=[{value}]" if value is not None else f"[{name}]"
            self.reply(f"+OK filter deleted. {shown}")
            return
        if len(words) < 2:
            self.reply("-ERR invalid syntax")
            return
        name, value = words[0], " ".join(words[1:])
        self.sub.filters.append((name, value))
        self.reply(f"+OK filter added. [{name}]=[{value}]")

    async def cmd_linger(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        if self.channel is None:
            self.reply("-ERR not controlling a session")
            return
        seconds = int(rest) if rest.isdigit() else 0
        self.linger = seconds if seconds > 0 else -1
        self.reply(f"+OK will linger {seconds} seconds" if seconds > 0 else "+OK will linger")

    async def cmd_nolinger(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        if self.channel is None:
            self.reply("-ERR not controlling a session")
            return
        self.linger = None
        self.reply("+OK will not linger")

    async def cmd_log(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        levels = ["CONSOLE", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"]
        level = rest.strip().upper() or "DEBUG"
        number = int(level) if level.isdigit() else levels.index(level) if level in levels else 7
        self.reply(f"+OK log level {levels[min(number, 7)]} [{number}]")

    async def cmd_nolog(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.reply("+OK no longer logging")

    async def cmd_api(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        command, _, arg = rest.partition(" ")
        output = await self.hub.api.execute(command, arg)
        if output is None:
            output = f"-ERR {command} Command not found!\n"
        self.send(encode.api_response(output))

    async def cmd_bgapi(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        command, _, arg = rest.partition(" ")
        job = next((v for n, v in headers if n.lower() == "job-uuid"), None) or str(uuidlib.uuid4())
        self.reply(f"~Reply-Text: +OK Job-UUID: {job}\nJob-UUID: {job}\n\n")
        self.hub.api.spawn(self._background(job, command, arg))

    async def _background(self, job: str, command: str, arg: str) -> None:
        output = await self.hub.api.execute(command, arg)
        if output is None:
            output = f"-ERR {command} Command not found!\n"
        pre = [("Job-UUID", job), ("Job-Command", command)]
        if arg:
            pre.append(("Job-Command-Arg", arg))
        self.hub.switch.fire(
            "BACKGROUND_JOB", post=pre, body=output or "Command returned no output!"
        )

    async def cmd_sendmsg(self, rest: str, headers: list[tuple[str, str]], body: bytes) -> None:
        uuid = rest.strip() or (self.channel.uuid if self.channel is not None else "")
        ch = self.hub.switch.channels.get(uuid)
        if ch is None:
            self.reply(f"-ERR invalid session id [{uuid}]")
            return
        values = {n.lower(): v for n, v in headers}
        command = values.get("call-command", "")
        if command == "execute":
            app = values.get("execute-app-name", "")
            arg = values.get("execute-app-arg", body.decode("utf-8", "replace") if body else "")
            loops = int(values.get("loops", "1") or "1")
            for _ in range(max(1, loops)):
                self.hub.queue_app(ch, app, arg, values.get("event-uuid"))
        elif command == "hangup":
            self.hub.switch.hangup(ch, values.get("hangup-cause", "NORMAL_CLEARING"))
        self.reply("+OK")


class Hub(Protocol):
    """What connections share: the switch, the api, app queues, password and fault flags."""

    password: str
    stalled: bool
    resumed: asyncio.Event

    @property
    def switch(self) -> Switch: ...

    @property
    def api(self) -> Api: ...

    def queue_app(self, ch: Channel, app: str, arg: str, app_uuid: str | None) -> None: ...

    async def connection_closed(self, conn: Connection) -> None: ...
