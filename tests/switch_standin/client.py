"""A raw asyncio ESL client built on the production codec (switch/esl), for the stand-in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from switch.esl import EslEvent, Frame, FrameReader
from switch.standin.server import DEFAULT_PASSWORD

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "esl"
TIMEOUT = 5.0


def capture(name: str) -> bytes:
    """A capture without its '#' lines (skip when ../shared is absent)."""
    path = CAPTURES / name
    if not path.is_file():
        pytest.skip(f"shared ESL capture {path} is not available")
    raw = path.read_bytes()
    return b"".join(line for line in raw.splitlines(keepends=True) if not line.startswith(b"#"))


class EslClient:
    """Reads frames with FrameReader; writes raw command bytes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.frames = FrameReader()
        self.pending: list[Frame] = []
        self.skipped: list[Frame] = []

    @classmethod
    async def connect(cls, port: int) -> EslClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def frame(self, limit: float = TIMEOUT) -> Frame:
        """The next frame, events skipped by :meth:`send` first."""
        if self.skipped:
            return self.skipped.pop(0)
        return await self._next(limit)

    async def _next(self, limit: float = TIMEOUT) -> Frame:
        while not self.pending:
            data = await asyncio.wait_for(self.reader.read(65536), limit)
            if not data:
                raise EOFError("connection closed")
            self.pending += self.frames.feed(data)
        return self.pending.pop(0)

    async def send(self, command: bytes) -> Frame:
        """Send a command and return the next non-event frame (its reply)."""
        self.writer.write(command)
        while True:
            frame = await self._next()
            if not frame.is_event:
                return frame
            self.skipped.append(frame)

    async def event(self, name: str, limit: float = TIMEOUT) -> tuple[Frame, EslEvent]:
        """The next event called ``name``."""
        while True:
            frame = await self.frame(limit)
            event = EslEvent.from_frame(frame)
            if frame.is_event and event is not None and event.name == name:
                return frame, event

    async def events_until(self, name: str) -> list[EslEvent]:
        """Every event up to and including the next ``name``."""
        out: list[EslEvent] = []
        while True:
            frame = await self.frame()
            event = EslEvent.from_frame(frame)
            if frame.is_event and event is not None:
                out.append(event)
                if event.name == name:
                    return out

    async def login(self, password: str = DEFAULT_PASSWORD) -> None:
        greeting = await self.frame()
        assert greeting.content_type == "auth/request"
        reply = await self.send(f"auth {password}\n\n".encode())
        assert reply.header("Reply-Text") == "+OK accepted"

    def close(self) -> None:
        self.writer.close()


async def eventually(check: Callable[[], bool], limit: float = TIMEOUT) -> None:
    """Wait until ``check()`` holds (polling the loop, not sleeping a fixed time)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not check():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


AppHandler = Callable[[EslClient], Awaitable[None]]


async def outbound_app(handler: AppHandler) -> tuple[asyncio.Server, int]:
    """A tiny outbound-socket application server running ``handler`` per connection."""

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = EslClient(reader, writer)
        try:
            await handler(client)
        except (EOFError, ConnectionError, TimeoutError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]
