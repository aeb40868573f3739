"""Outbound-socket server: FreeSWITCH's ``socket 127.0.0.1:8084 async full`` connects here.

One :class:`OutboundSession` per call, with an explicit :class:`SessionState` and allowed
transitions. The handler for each call is an async function given the session. Replies are
matched to commands in order; ``execute`` sends an ``Event-UUID`` and waits for the
CHANNEL_EXECUTE_COMPLETE whose ``Application-UUID`` echoes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid as uuid_mod
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Final

from switch.connection import validate
from switch.connection.errors import SessionGone
from switch.connection.metrics import ConnectionMetrics
from switch.connection.replies import check_reply
from switch.esl import commands
from switch.esl.errors import EslProtocolError
from switch.esl.event import EslEvent
from switch.esl.frames import Frame, FrameReader

log = logging.getLogger(__name__)


class SessionState(enum.Enum):
    """Where one outbound call session is."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    ANSWERED = "answered"
    BRIDGED = "bridged"
    HUNG_UP = "hung_up"
    CLOSED = "closed"


ALLOWED: Final[Mapping[SessionState, frozenset[SessionState]]] = {
    SessionState.CONNECTING: frozenset({SessionState.CONNECTED, SessionState.CLOSED}),
    SessionState.CONNECTED: frozenset(
        {SessionState.ANSWERED, SessionState.BRIDGED, SessionState.HUNG_UP, SessionState.CLOSED}
    ),
    SessionState.ANSWERED: frozenset(
        {SessionState.BRIDGED, SessionState.HUNG_UP, SessionState.CLOSED}
    ),
    SessionState.BRIDGED: frozenset(
        {SessionState.ANSWERED, SessionState.HUNG_UP, SessionState.CLOSED}
    ),
    SessionState.HUNG_UP: frozenset({SessionState.CLOSED}),
    SessionState.CLOSED: frozenset(),
}
_EVENT_STATE: Final = {
    "CHANNEL_ANSWER": SessionState.ANSWERED,
    "CHANNEL_BRIDGE": SessionState.BRIDGED,
    "CHANNEL_UNBRIDGE": SessionState.ANSWERED,
    "CHANNEL_HANGUP": SessionState.HUNG_UP,
    "CHANNEL_HANGUP_COMPLETE": SessionState.HUNG_UP,
}


class OutboundSession:
    """One call handed to us by FreeSWITCH's socket application."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        metrics: ConnectionMetrics | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.metrics = metrics or ConnectionMetrics()
        self.state = SessionState.CONNECTING
        self.channel_data: EslEvent | None = None
        self.events: asyncio.Queue[EslEvent] = asyncio.Queue(10_000)
        self._replies: deque[asyncio.Future[Frame]] = deque()
        self._executions: dict[str, asyncio.Future[EslEvent]] = {}
        self._state_changed = asyncio.Condition()
        self._read_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.history: list[SessionState] = [self.state]

    # -- state ----------------------------------------------------------------------------

    @property
    def uuid(self) -> str | None:
        """The channel UUID (from the connect reply)."""
        return None if self.channel_data is None else self.channel_data.unique_id

    def _move(self, new: SessionState) -> bool:
        if new is self.state:
            return True
        if new not in ALLOWED[self.state]:
            self.metrics.incr("invalid_transitions")
            log.info("session %s: ignored %s -> %s", self.uuid, self.state.name, new.name)
            return False
        self.state = new
        self.history.append(new)
        asyncio.get_running_loop().create_task(self._notify())
        return True

    async def _notify(self) -> None:
        async with self._state_changed:
            self._state_changed.notify_all()

    async def wait_for_state(self, *states: SessionState, within: float | None = None) -> None:
        """Wait until the session is in one of ``states`` (or CLOSED, which ends any wait)."""

        async def reached() -> None:
            async with self._state_changed:
                await self._state_changed.wait_for(
                    lambda: self.state in states or self.state is SessionState.CLOSED
                )

        await asyncio.wait_for(reached(), within)

    @property
    def active(self) -> bool:
        """True while commands can still reach the call."""
        return self.state not in (SessionState.HUNG_UP, SessionState.CLOSED)

    # -- reading --------------------------------------------------------------------------

    def start_reading(self) -> None:
        """Start the reader task (done by the server)."""
        self._read_task = asyncio.get_running_loop().create_task(self._read_forever())

    async def _read_forever(self) -> None:
        frames = FrameReader()
        try:
            while True:
                data = await self._reader.read(256 * 1024)
                if not data:
                    try:
                        frames.close()
                    except EslProtocolError as exc:
                        self.metrics.incr("partial_frames")
                        log.warning("session %s: %s", self.uuid, exc)
                    break
                try:
                    batch = frames.feed(data)
                except EslProtocolError as exc:
                    self.metrics.incr("malformed_frames")
                    log.warning("session %s: %s", self.uuid, exc)
                    for frame in exc.frames:
                        self._on_frame(frame)
                    break
                for frame in batch:
                    self._on_frame(frame)
        except (ConnectionError, OSError) as exc:
            log.info("session %s: socket error %s", self.uuid, exc)
        finally:
            self._close_state()

    def _close_state(self) -> None:
        self._move(SessionState.CLOSED)
        gone = SessionGone(uuid=self.uuid, state=self.state.value)
        while self._replies:
            reply = self._replies.popleft()
            if not reply.done():
                reply.set_exception(gone)
        for done in self._executions.values():
            if not done.done():
                done.set_exception(gone)
        self._executions.clear()
        self._writer.close()

    def _on_frame(self, frame: Frame) -> None:
        ctype = frame.content_type
        if frame.carries_channel_data or ctype in ("command/reply", "api/response"):
            if self._replies:
                self._replies.popleft().set_result(frame)
            else:
                self.metrics.incr("unknown_frames")
            return
        if ctype == "text/disconnect-notice":
            disposition = frame.header("Content-Disposition")
            if disposition == "linger":
                self._move(SessionState.HUNG_UP)
            return
        if not frame.is_event:
            self.metrics.incr("unknown_frames")
            return
        try:
            event = EslEvent.from_frame(frame)
        except EslProtocolError as exc:
            self.metrics.incr("malformed_events")
            log.warning("session %s: %s", self.uuid, exc)
            return
        if event is None:
            return
        self.metrics.incr("events_received")
        self._on_event(event)

    def _on_event(self, event: EslEvent) -> None:
        name = event.name or ""
        # FreeSWITCH fires CHANNEL_UNBRIDGE after CHANNEL_HANGUP when a bridged call ends
        # (switch_ivr_multi_threaded_bridge returns after the hangup): not a transition.
        late_unbridge = name == "CHANNEL_UNBRIDGE" and self.state is SessionState.HUNG_UP
        if event.unique_id == self.uuid and name in _EVENT_STATE and not late_unbridge:
            self._move(_EVENT_STATE[name])
        if name == "CHANNEL_EXECUTE_COMPLETE":
            app_uuid = event.get("Application-UUID") or ""
            fut = self._executions.pop(app_uuid, None)
            if fut is not None and not fut.done():
                fut.set_result(event)
        try:
            self.events.put_nowait(event)
        except asyncio.QueueFull:
            self.metrics.incr("events_dropped")

    # -- commands -------------------------------------------------------------------------

    async def _command(self, data: bytes, *, allow_when_gone: bool = False) -> Frame:
        if self.state is SessionState.CLOSED or (not allow_when_gone and not self.active):
            raise SessionGone(uuid=self.uuid, state=self.state.value)
        fut: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        async with self._lock:
            self._replies.append(fut)
            self._writer.write(data)
            await self._writer.drain()
        return await fut

    async def connect(self) -> EslEvent:
        """``connect``: the reply is the channel's CHANNEL_DATA."""
        frame = await self._command(commands.connect())
        event = EslEvent.from_frame(frame)
        if event is None:
            raise EslProtocolError("connect reply carries no channel data", offset=frame.offset)
        self.channel_data = event
        self._move(SessionState.CONNECTED)
        if event.get("Answer-State") == "answered":
            self._move(SessionState.ANSWERED)
        return event

    async def myevents(self) -> str:
        """``myevents``: receive this channel's events."""
        frame = await self._command(commands.myevents())
        return check_reply("myevents", frame.header("Reply-Text") or "")

    async def subscribe(self, *names: str) -> str:
        """``event plain <names>``: more events on this socket (e.g. CUSTOM ones)."""
        frame = await self._command(commands.event("plain", list(names) or "ALL"))
        return check_reply("event", frame.header("Reply-Text") or "")

    async def linger(self, seconds: int | None = None) -> str:
        """``linger``: keep the socket after hangup to receive the last events."""
        frame = await self._command(commands.linger(seconds))
        return check_reply("linger", frame.header("Reply-Text") or "")

    async def api(self, command: str, arg: str | None = None) -> str:
        """``api`` on this socket (quick commands only)."""
        frame = await self._command(commands.api(command, arg), allow_when_gone=True)
        return frame.body.decode("utf-8", "replace")

    async def execute(self, app: str, arg: str | None = None) -> EslEvent:
        """Run a dialplan application with event-lock; the CHANNEL_EXECUTE_COMPLETE event."""
        event_uuid = str(uuid_mod.uuid4())
        done: asyncio.Future[EslEvent] = asyncio.get_running_loop().create_future()
        self._executions[event_uuid] = done
        try:
            frame = await self._command(
                commands.sendmsg_execute(app, arg, event_lock=True, event_uuid=event_uuid)
            )
            check_reply(f"execute {app}", frame.header("Reply-Text") or "")
            return await done
        finally:
            self._executions.pop(event_uuid, None)
            if done.done() and not done.cancelled():
                done.exception()  # retrieved: the session closing also failed the reply

    async def answer(self) -> EslEvent:
        """``answer``."""
        return await self.execute("answer")

    async def playback(self, file: str) -> str:
        """``playback <file>``; the Application-Response (``FILE PLAYED``...)."""
        event = await self.execute("playback", validate.path(file, field="file"))
        return event.get("Application-Response") or ""

    async def play_and_get_digits(
        self,
        *,
        file: str,
        min_digits: int = 1,
        max_digits: int = 1,
        tries: int = 3,
        timeout_ms: int = 5000,
        terminators: str = "#",
        invalid_file: str = "silence_stream://250",
        variable: str = "madoguchi_digits",
        regexp: str = r"\d+",
        digit_timeout_ms: int | None = None,
    ) -> str:
        """``play_and_get_digits``; the digits collected ('' when none matched)."""
        if not (0 < min_digits <= max_digits <= 128) or tries < 1 or timeout_ms < 1:
            raise ValueError("invalid digit collection limits")
        validate.var_name(variable)
        if terminators != "none":
            validate.digits(terminators, field="terminators")
        if any(c.isspace() for c in regexp):
            raise ValueError("regexp must not contain blanks")
        args = [
            str(min_digits),
            str(max_digits),
            str(tries),
            str(timeout_ms),
            terminators,
            validate.path(file, field="file"),
            validate.path(invalid_file, field="invalid_file"),
            variable,
            regexp,
        ]
        if digit_timeout_ms is not None:
            args.append(str(digit_timeout_ms))
        event = await self.execute("play_and_get_digits", " ".join(args))
        return event.get(f"variable_{variable}") or ""

    async def bridge(self, endpoint: str, variables: Mapping[str, str] | None = None) -> EslEvent:
        """``bridge {vars}endpoint``; returns when the bridge ends."""
        target = validate.variable_block(variables or {}) + validate.dial_string(endpoint)
        return await self.execute("bridge", target)

    async def hangup(self, cause: str = "NORMAL_CLEARING") -> None:
        """``hangup <cause>``."""
        await self.execute("hangup", validate.token(cause, field="cause"))

    async def exit(self) -> None:
        """``exit``: FreeSWITCH replies ``+OK bye`` and closes the socket."""
        if self.state is SessionState.CLOSED:
            return
        with contextlib.suppress(SessionGone):
            await self._command(commands.exit_(), allow_when_gone=True)

    async def wait_closed(self) -> None:
        """Wait until the socket has closed."""
        if self._read_task is not None:
            await asyncio.shield(self._read_task)


SessionHandler = Callable[[OutboundSession], Awaitable[None]]


class OutboundServer:
    """The TCP server FreeSWITCH's ``socket`` application connects to."""

    def __init__(
        self,
        handler: SessionHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 8084,
        linger: bool = True,
    ) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._linger = linger
        self.metrics = ConnectionMetrics()
        self._server: asyncio.Server | None = None
        self.sessions: set[OutboundSession] = set()

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen."""
        self._server = await asyncio.start_server(self._serve, self._host, self._port)

    async def stop(self) -> None:
        """Stop listening and close every session."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = OutboundSession(reader, writer, metrics=self.metrics)
        self.sessions.add(session)
        session.start_reading()
        try:
            await session.connect()
            await session.myevents()
            if self._linger:
                await session.linger()
            await self._handler(session)
        except SessionGone:
            log.info("session %s ended while its handler ran", session.uuid)
        except Exception:
            self.metrics.incr("handler_errors")
            log.exception("outbound session %s failed", session.uuid)
        finally:
            await session.exit()
            await session.wait_closed()
            self.sessions.discard(session)
