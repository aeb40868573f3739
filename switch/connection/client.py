"""The inbound Event Socket client as an asyncio API (greenswitch on its own gevent thread).

Threading: the socket lives on one :class:`GeventThread`. Its reader greenlet parses frames and
hands them over in batches with ``loop.call_soon_threadsafe``; it never waits for asyncio, and
when more than ``max_pending`` frames wait it drops them and counts the drop. Commands go the
other way with ``GeventThread.submit`` and come back as futures. Everything else (job matching,
channel table, handlers, reconnection) runs on asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import threading
import uuid as uuid_mod
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from switch.connection.channels import ChannelTracker, parse_show_channels
from switch.connection.errors import (
    AuthenticationFailed,
    CommandTimeout,
    ConnectionLost,
    NotConnected,
    RudeRejection,
    SwitchError,
)
from switch.connection.events import SwitchEvent
from switch.connection.greenthread import GeventThread
from switch.connection.metrics import ConnectionMetrics
from switch.connection.reconcile import reconcile
from switch.connection.replies import check_reply
from switch.connection.transport import GreenConnection
from switch.esl import commands
from switch.esl.errors import EslError, EslProtocolError
from switch.esl.event import EslEvent
from switch.esl.frames import Frame

log = logging.getLogger(__name__)

Handler = Callable[[SwitchEvent], Awaitable[None] | None]
ALWAYS_SUBSCRIBED: Final = ("BACKGROUND_JOB", "HEARTBEAT")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Reconnect delays: ``initial * factor**n`` capped at ``maximum``, with +-``jitter``."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.1

    def delay(self, attempt: int) -> float:
        """The wait before reconnect attempt number ``attempt`` (0 for the first retry)."""
        base = min(self.maximum, self.initial * self.factor**attempt)
        return max(0.0, base * (1 + random.uniform(-self.jitter, self.jitter)))  # noqa: S311


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Where FreeSWITCH is and how patient to be with it."""

    host: str
    port: int
    password: str
    events: Sequence[str] | Literal["ALL"] = "ALL"
    event_format: Literal["plain", "json"] = "plain"
    connect_timeout: float = 5.0
    command_timeout: float = 30.0
    silence_timeout: float = 60.0  # FreeSWITCH sends HEARTBEAT every 20 s by default
    backoff: Backoff = Backoff()
    max_pending: int = 100_000
    keepalive: tuple[int, int, int] = (15, 5, 3)


class _Bridge:
    """Frames from the gevent thread into asyncio; bounded, never blocks the reader."""

    def __init__(self, client: EslClient, generation: int) -> None:
        self._client = client
        self.generation = generation
        self._lock = threading.Lock()
        self._pending: deque[Frame] = deque()
        self._scheduled = False
        self.closed_reason: str | None = None

    def frames(self, frames: list[Frame]) -> None:
        client = self._client
        with self._lock:
            room = client.config.max_pending - len(self._pending)
            if room < len(frames):
                client.metrics.incr("events_dropped", len(frames) - max(room, 0))
                frames = frames[: max(room, 0)]
            self._pending.extend(frames)
            if self._scheduled or not frames:
                return
            self._scheduled = True
        client.loop.call_soon_threadsafe(self._drain)

    def closed(self, reason: str, error: BaseException | None) -> None:
        self._client.loop.call_soon_threadsafe(self._client._on_closed, self, reason, error)

    def _drain(self) -> None:
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
            self._scheduled = False
        self._client._on_frames(self, batch)


class EslClient:
    """Inbound ESL client: connect, subscribe, api/bgapi, sendmsg, events, reconnect, reconcile."""

    def __init__(self, config: ClientConfig, *, thread: GeventThread | None = None) -> None:
        self.config = config
        self.metrics = ConnectionMetrics()
        self.channels = ChannelTracker()
        self._thread = thread
        self._own_thread = thread is None
        self._handlers: dict[str, list[Handler]] = {}
        self._streams: set[asyncio.Queue[SwitchEvent]] = set()
        self._jobs: dict[str, asyncio.Future[str]] = {}
        self._conn: GreenConnection | None = None
        self._bridge: _Bridge | None = None
        self._generation = 0
        self._connected = asyncio.Event()
        self._closed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._last_rx = 0.0
        self._supervisor: asyncio.Task[None] | None = None
        self._dispatch_queue: asyncio.Queue[SwitchEvent] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop
        self.link_listeners: list[Callable[[bool, str], None]] = []
        """Called with (True, "connected") when a connection is up and reconciled, and with
        (False, "closed" | "silent") when it is lost (the fault alerts listen here)."""

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start connecting (and reconnecting) in the background."""
        if self._supervisor is not None:
            return
        self.loop = asyncio.get_running_loop()
        if self._thread is None:
            self._thread = GeventThread()
        self._dispatch_queue = asyncio.Queue(self.config.max_pending)
        self._dispatcher = asyncio.create_task(self._dispatch_forever(), name="esl-dispatch")
        self._supervisor = asyncio.create_task(self._supervise(), name="esl-supervisor")

    async def wait_connected(self, within: float | None = None) -> None:
        """Wait until a connection is authenticated and reconciled."""
        await asyncio.wait_for(self._connected.wait(), within)

    @property
    def connected(self) -> bool:
        """True while a connection is up and reconciled."""
        return self._connected.is_set()

    @property
    def generation(self) -> int:
        """How many connections were made so far (1 for the first)."""
        return self._generation

    async def stop(self) -> None:
        """Close the connection and stop reconnecting."""
        self._stopping.set()
        self._drop_connection("client stopped")
        for task in (self._supervisor, self._dispatcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._supervisor = self._dispatcher = None
        self._fail_jobs("client stopped")
        if self._own_thread and self._thread is not None:
            self._thread.stop()
            self._thread = None

    # -- handlers and streams --------------------------------------------------------------

    def add_handler(self, key: str, handler: Handler) -> bool:
        """Call ``handler`` for events named ``key`` (or CUSTOM subclass, or ``*``).

        Registering the same handler twice is a no-op (returns False): reconnects never
        duplicate handlers, since they live on the client, not on a connection.
        """
        handlers = self._handlers.setdefault(key, [])
        if handler in handlers:
            return False
        handlers.append(handler)
        return True

    def remove_handler(self, key: str, handler: Handler) -> None:
        """Stop calling ``handler`` for ``key``."""
        handlers = self._handlers.get(key, [])
        if handler in handlers:
            handlers.remove(handler)

    async def events(self, maxsize: int = 10_000) -> AsyncIterator[SwitchEvent]:
        """Every event (real and reconciled) from now on, in order."""
        queue: asyncio.Queue[SwitchEvent] = asyncio.Queue(maxsize)
        self._streams.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._streams.discard(queue)

    # -- commands --------------------------------------------------------------------------

    async def send(self, data: bytes, *, within: float | None = None) -> Frame:
        """Send an encoded command and return its reply frame."""
        conn = self._conn
        if conn is None or self._thread is None:
            raise NotConnected(reason="no connection")
        wait = self.config.command_timeout if within is None else within
        future = asyncio.wrap_future(self._thread.submit(conn.send_command, data))
        try:
            return await asyncio.wait_for(future, wait)
        except TimeoutError as exc:
            first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
            raise CommandTimeout(command=first, seconds=wait) from exc

    async def api(self, command: str, arg: str | None = None) -> str:
        """``api``: for quick commands only (it blocks FreeSWITCH's event delivery meanwhile)."""
        frame = await self.send(commands.api(command, arg))
        text = frame.body.decode("utf-8", "replace")
        if text.startswith("-"):
            self.metrics.incr("error_replies")
        return text

    async def bgapi(
        self, command: str, arg: str | None = None, *, within: float | None = None
    ) -> str:
        """``bgapi`` with our own Job-UUID; returns the BACKGROUND_JOB body."""
        job = str(uuid_mod.uuid4())
        future: asyncio.Future[str] = self.loop.create_future()
        self._jobs[job] = future
        try:
            reply = await self.send(commands.bgapi(command, arg, job_uuid=job))
            text = reply.header("Reply-Text") or ""
            check_reply(f"bgapi {command}", text)
            wait = self.config.command_timeout if within is None else within
            try:
                result = await asyncio.wait_for(future, wait)
            except TimeoutError as exc:
                raise CommandTimeout(command=f"bgapi {command}", seconds=wait) from exc
        finally:
            self._jobs.pop(job, None)
        if result.startswith("-"):
            self.metrics.incr("error_replies")
        return result

    async def execute(
        self, uuid: str, app: str, arg: str | None = None, *, event_lock: bool = True
    ) -> str:
        """``sendmsg <uuid>`` with ``call-command: execute``; returns the reply text."""
        frame = await self.send(
            commands.sendmsg_execute(app, arg, uuid=uuid, event_lock=event_lock)
        )
        return check_reply(f"sendmsg {app}", frame.header("Reply-Text") or "")

    # -- asyncio side of the bridge --------------------------------------------------------

    def _on_frames(self, bridge: _Bridge, frames: list[Frame]) -> None:
        if bridge is not self._bridge:
            return
        self._last_rx = self.loop.time()
        for frame in frames:
            ctype = frame.content_type
            if frame.is_event:
                self._on_event_frame(frame, bridge.generation)
            elif ctype == "text/disconnect-notice":
                log.info("FreeSWITCH disconnect notice: %s", frame.body[:200])
            elif ctype == "log/data":
                continue
            else:
                self.metrics.incr("unknown_frames")
                log.warning("unexpected ESL frame %r at offset %d", ctype, frame.offset)

    def _on_event_frame(self, frame: Frame, generation: int) -> None:
        try:
            esl = EslEvent.from_frame(frame)
        except EslProtocolError as exc:
            self.metrics.incr("malformed_events")
            log.warning("malformed event dropped: %s", exc)
            return
        if esl is None:  # text/event-xml is not subscribed by this client
            self.metrics.incr("unknown_frames")
            return
        self.metrics.incr("events_received")
        event = SwitchEvent.from_esl(esl, connection=generation)
        if event.name == "BACKGROUND_JOB":
            job = event.job_uuid
            future = self._jobs.get(job or "")
            if future is not None and not future.done():
                future.set_result(esl.body_text or "")
        self._publish(event)

    def _publish(self, event: SwitchEvent) -> None:
        self.channels.apply(event)
        queue = self._dispatch_queue
        if queue is None:
            return
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:
            self.metrics.incr("events_dropped")

    async def _dispatch_forever(self) -> None:
        assert self._dispatch_queue is not None
        while True:
            event = await self._dispatch_queue.get()
            for queue in list(self._streams):
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    self.metrics.incr("events_dropped")
            handlers = self._handlers.get(event.key, []) + self._handlers.get("*", [])
            for handler in handlers:
                try:
                    result = handler(event)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    self.metrics.incr("handler_errors")
                    log.exception("event handler %r failed on %s", handler, event.name)

    def _on_closed(self, bridge: _Bridge, reason: str, error: BaseException | None) -> None:
        if bridge is not self._bridge:
            return
        bridge.closed_reason = reason
        if isinstance(error, EslProtocolError):
            if reason == "stream ended inside a frame":
                self.metrics.incr("partial_frames")
            else:
                self.metrics.incr("malformed_frames")
            log.warning("ESL connection dropped: %s", error)
        self._closed.set()

    # -- connection supervision ------------------------------------------------------------

    async def _open(self) -> GreenConnection:
        assert self._thread is not None
        self._generation += 1
        bridge = _Bridge(self, self._generation)
        cfg = self.config
        conn = GreenConnection(
            cfg.host,
            cfg.port,
            cfg.password,
            sink=bridge,
            timeout=cfg.connect_timeout,
            keepalive=cfg.keepalive,
        )
        self._bridge = bridge
        self._closed.clear()
        self._last_rx = self.loop.time()
        try:
            await asyncio.wrap_future(self._thread.submit(conn.connect))
        except BaseException:
            self._thread.submit(conn.close, "connect failed")
            raise
        self._conn = conn
        return conn

    async def _subscribe(self) -> None:
        cfg = self.config
        names: Sequence[str] | Literal["ALL"] = cfg.events
        if names != "ALL":
            names = list(dict.fromkeys([*names, *ALWAYS_SUBSCRIBED]))
        reply = await self.send(commands.event(cfg.event_format, names))
        check_reply("event", reply.header("Reply-Text") or "")

    async def reconcile_now(self) -> list[SwitchEvent]:
        """Compare with ``show channels as json`` and publish the events that were missed."""
        rows = parse_show_channels(await self.api("show", "channels as json"))
        missed = reconcile(
            self.channels.known_before(self._generation),
            rows,
            ended=self.channels.ended,
            connection=self._generation,
        )
        self.metrics.incr("reconciliations")
        self.metrics.incr("reconciled_events", len(missed))
        for event in missed:
            self._publish(event)
        return missed

    async def _supervise(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                await self._open()
                await self._subscribe()
                await self.reconcile_now()
            except (OSError, TimeoutError, EslError, SwitchError) as exc:
                self._count_failure(exc)
                self._drop_connection(f"setup failed: {exc}")
                await self._pause(self.config.backoff.delay(attempt))
                attempt += 1
                continue
            attempt = 0
            self.metrics.incr("connects")
            self._connected.set()
            self._tell_link(True, "connected")
            silent = await self._watch()
            self._connected.clear()
            self.metrics.incr("disconnects")
            if silent:
                self.metrics.incr("silent_disconnects")
            self._tell_link(False, "silent" if silent else "closed")
            self._drop_connection("silent" if silent else "closed")
            self._fail_jobs("connection lost")
            await self._pause(self.config.backoff.delay(0))

    def _tell_link(self, up: bool, reason: str) -> None:
        for listener in list(self.link_listeners):
            try:
                listener(up, reason)
            except Exception:  # a broken listener must not stop the connection
                log.exception("ESL link listener failed")

    def _count_failure(self, exc: BaseException) -> None:
        if isinstance(exc, AuthenticationFailed):
            self.metrics.incr("auth_failures")
        elif isinstance(exc, RudeRejection):
            self.metrics.incr("rude_rejections")
        self.metrics.incr("connect_failures")
        log.warning("ESL connect to %s:%s failed: %s", self.config.host, self.config.port, exc)

    async def _watch(self) -> bool:
        """Wait until the connection ends (False) or stays silent too long (True)."""
        while True:
            remaining = self._last_rx + self.config.silence_timeout - self.loop.time()
            if remaining <= 0:
                log.warning("no data from FreeSWITCH for %.1f s", self.config.silence_timeout)
                return True
            try:
                await asyncio.wait_for(self._closed.wait(), remaining)
                return False
            except TimeoutError:
                continue

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _drop_connection(self, reason: str) -> None:
        conn, self._conn = self._conn, None
        self._bridge = None
        if conn is not None and self._thread is not None and self._thread.alive:
            self._thread.submit(conn.close, reason)

    def _fail_jobs(self, reason: str) -> None:
        for future in self._jobs.values():
            if not future.done():
                future.set_exception(ConnectionLost(reason=reason))
