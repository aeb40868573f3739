"""A loopback stand-in for FreeSWITCH's inbound Event Socket that replays real capture bytes.

It sends auth/request, answers commands as mod_event_socket does, records every command the
client sent, and lets a test push any bytes (capture frames, cut frames) at any moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from switch.esl.encode import serialize_event
from switch.esl.urlcodec import url_encode
from tests.switch.esl_captures import after_blank_line, capture

AUTH_REQUEST = b"Content-Type: auth/request\n\n"


def reply(text: str, *extra: tuple[str, str]) -> bytes:
    """A command/reply frame."""
    lines = ["Content-Type: command/reply", f"Reply-Text: {text}"]
    lines += [f"{k}: {v}" for k, v in extra]
    return ("\n".join(lines) + "\n\n").encode()


def api_response(body: str) -> bytes:
    """An api/response frame."""
    data = body.encode()
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(data) + data


def event_frame(body: bytes) -> bytes:
    """A text/event-plain frame around a serialized event."""
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body


def capture_event(name: str) -> bytes:
    """The serialized event (inner text) of a byte-exact framed capture."""
    return after_blank_line(capture(name))


def with_header(body: bytes, header: str, value: str) -> bytes:
    """The event with one header's value replaced by ``value`` encoded as FreeSWITCH would."""
    lines = body.split(b"\n")
    prefix = header.encode() + b": "
    out = [prefix + url_encode(value).encode() if ln.startswith(prefix) else ln for ln in lines]
    return b"\n".join(out)


def background_job(job_uuid: str, result: str) -> bytes:
    """A BACKGROUND_JOB event frame as switch_event_serialize writes it."""
    body = serialize_event(
        [("Event-Name", "BACKGROUND_JOB"), ("Job-UUID", job_uuid), ("Job-Command", "status")],
        result,
    )
    return event_frame(body)


def show_channels(rows: list[dict[str, str]]) -> str:
    """``show channels as json`` output."""
    if not rows:
        return json.dumps({"row_count": 0}, separators=(",", ":"))
    return json.dumps({"row_count": len(rows), "rows": rows}, separators=(",", ":"))


@dataclass
class Conn:
    """One accepted client connection."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    commands: list[str] = field(default_factory=list)

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    def abort(self) -> None:
        transport = self.writer.transport
        transport.abort()


class FakeSwitch:
    """Loopback ESL server on port 0."""

    def __init__(self, *, password: str = "ClueCon") -> None:  # noqa: S107 - test server
        self.password = password
        self.channels: list[dict[str, str]] = []
        self.conns: list[Conn] = []
        self.on_command: Callable[[Conn, str], bytes | None] | None = None
        self.rude = False
        self.silent_after_auth = False
        self._server: asyncio.Server | None = None
        self._changed = asyncio.Condition()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        for conn in self.conns:
            conn.abort()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        async def check() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(check(), within)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def all_commands(self) -> list[str]:
        return [c for conn in self.conns for c in conn.commands]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Conn(reader, writer)
        self.conns.append(conn)
        await self._notify()
        if self.rude:
            body = b"Access Denied, go away.\n"
            writer.write(
                b"Content-Type: text/rude-rejection\nContent-Length: %d\n\n" % len(body) + body
            )
            writer.close()
            return
        writer.write(AUTH_REQUEST)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                raw = await reader.readuntil(b"\n\n")
                command = raw.decode().rstrip("\n")
                conn.commands.append(command)
                answer = self._answer(conn, command)
                if answer is not None:
                    writer.write(answer)
                await self._notify()
                if command.startswith("auth") and not command.endswith(self.password):
                    writer.close()
                    return
        await self._notify()

    def _answer(self, conn: Conn, command: str) -> bytes | None:
        if self.on_command is not None:
            custom = self.on_command(conn, command)
            if custom is not None:
                return custom
        first = command.split("\n", 1)[0]
        if first.startswith("auth "):
            if first == f"auth {self.password}":
                return reply("+OK accepted")
            return reply("-ERR invalid")
        if first.startswith("event "):
            return None if self.silent_after_auth else reply("+OK event listener enabled plain")
        if first == "api show channels as json":
            return api_response(show_channels(self.channels))
        if first.startswith("bgapi "):
            job = command.split("Job-UUID: ", 1)[1].strip()
            return reply(f"+OK Job-UUID: {job}", ("Job-UUID", job))
        if first.startswith("api "):
            return api_response("-ERR " + first[4:].split(" ")[0] + " Command not found!\n")
        return reply("-ERR command not found")


def on_switch(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test with a started FakeSwitch as its first argument, on a fresh loop."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def main() -> None:
            fake = FakeSwitch()
            await fake.start()
            try:
                await test(fake, *args, **kwargs)
            finally:
                await fake.stop()

        asyncio.run(main())

    params = list(inspect.signature(test).parameters.values())[1:]
    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return run
