"""greenswitch's InboundESL with its parser replaced by switch.esl's FrameReader.

greenswitch (0.0.19) gives the gevent socket, the greenlet that reads it and the FIFO of
pending command replies (``_commands_sent``). Its ``ESLEvent`` url-decodes a whole header block
before splitting lines, so a caller name holding ``%0A`` injects headers: here every byte read
goes to :class:`switch.esl.FrameReader` instead, and frames (never greenswitch events) leave
through a :class:`FrameSink`. All methods run on the gevent thread.
"""

from __future__ import annotations

import contextlib
import logging
import socket as std_socket
from typing import Any, Protocol

import gevent
import gevent.event
import gevent.lock
import gevent.socket
from greenswitch.esl import InboundESL

from switch.connection.errors import AuthenticationFailed, ConnectionLost, RudeRejection
from switch.esl import commands
from switch.esl.errors import EslProtocolError
from switch.esl.frames import Frame, FrameReader

log = logging.getLogger(__name__)

READ_SIZE = 4 * 1024 * 1024


class FrameSink(Protocol):
    """Receives frames and the end of the connection (called on the gevent thread)."""

    def frames(self, frames: list[Frame]) -> None: ...

    def closed(self, reason: str, error: BaseException | None) -> None: ...


def enable_keepalive(sock: Any, *, idle: int, interval: int, count: int) -> None:
    """TCP keepalive: the kernel probes a silent peer and fails the socket when it is gone."""
    sock.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_KEEPALIVE, 1)
    options = (("TCP_KEEPIDLE", idle), ("TCP_KEEPINTVL", interval), ("TCP_KEEPCNT", count))
    for name, value in options:
        option = getattr(std_socket, name, None)
        if option is not None:
            sock.setsockopt(std_socket.IPPROTO_TCP, option, value)


class GreenConnection(InboundESL):  # type: ignore[misc]
    """One inbound Event Socket connection: connect, authenticate, read frames, send commands."""

    def __init__(
        self,
        host: str,
        port: int,
        password: str,
        *,
        sink: FrameSink,
        timeout: float = 5.0,
        keepalive: tuple[int, int, int] = (15, 5, 3),
    ) -> None:
        super().__init__(host, port, password, timeout=timeout)
        self._sink = sink
        self._keepalive = keepalive
        self._frame_reader = FrameReader()
        self._send_lock = gevent.lock.Semaphore()
        self._rejection: str | None = None
        self._finished = False
        self._commands_sent: list[gevent.event.AsyncResult] = []
        self.sock: Any = None
        self.sock_file: Any = None

    # greenswitch spawns a second greenlet that consumes its own event queue; nothing goes
    # there now, so only the reader is started.
    def start_event_handlers(self) -> None:
        self._receive_events_greenlet = gevent.spawn(self.receive_events)

    def connect(self) -> None:
        """Open the socket, wait for auth/request, send ``auth``; raise a typed error on refusal."""
        sock = gevent.socket.create_connection((self.host, self.port), timeout=self.timeout)
        enable_keepalive(
            sock, idle=self._keepalive[0], interval=self._keepalive[1], count=self._keepalive[2]
        )
        sock.settimeout(None)
        self.sock = sock
        self.sock_file = sock.makefile("rb")
        self.connected = True
        self.start_event_handlers()
        if not self._auth_request_event.wait(timeout=self.timeout):
            self.close("no auth/request")
            raise TimeoutError("FreeSWITCH sent no auth/request")
        if self._rejection is not None:
            raise RudeRejection(text=self._rejection)
        if not self.connected:
            raise ConnectionLost(reason="closed before auth/request")
        reply = self.send_command(commands.auth(self.password))
        text = reply.header("Reply-Text") or ""
        if not text.startswith("+OK"):
            self.close("authentication refused")
            raise AuthenticationFailed(reply=text)

    def receive_events(self) -> None:
        """Read the socket until it ends; every chunk goes through the FrameReader."""
        reason = "closed by FreeSWITCH"
        error: BaseException | None = None
        while self._run:
            try:
                data = self.sock.recv(READ_SIZE)
            except OSError as exc:
                reason, error = f"socket error: {exc}", exc
                break
            if not data:
                try:
                    self._frame_reader.close()
                except EslProtocolError as exc:
                    reason, error = "stream ended inside a frame", exc
                break
            try:
                frames = self._frame_reader.feed(data)
            except EslProtocolError as exc:
                self._route(exc.frames)
                reason, error = "malformed frame", exc
                break
            self._route(frames)
        self._finish(reason, error)

    def _route(self, frames: list[Frame]) -> None:
        others: list[Frame] = []
        for frame in frames:
            ctype = frame.content_type
            if ctype == "auth/request":
                self._auth_request_event.set()
            elif ctype in ("command/reply", "api/response"):
                if self._commands_sent:
                    self._commands_sent.pop(0).set(frame)
                else:
                    others.append(frame)  # a reply nobody waits for: reported as unknown
            elif ctype == "text/rude-rejection":
                self._rejection = frame.body.decode("utf-8", "replace").strip()
                self.connected = False
                self._auth_request_event.set()
            else:
                others.append(frame)
        if others:
            self._sink.frames(others)

    def send_command(self, data: bytes) -> Frame:
        """Send one encoded command (switch.esl.commands) and wait for its reply frame."""
        if not self.connected:
            raise ConnectionLost(reason="not connected")
        result: gevent.event.AsyncResult = gevent.event.AsyncResult()
        with self._send_lock:
            self._commands_sent.append(result)
            try:
                self.sock.sendall(data)
            except OSError as exc:
                self._commands_sent.remove(result)
                raise ConnectionLost(reason=f"send failed: {exc}") from exc
        frame: Frame = result.get()
        return frame

    def close(self, reason: str = "closed by client") -> None:
        """Shut the socket; the reader greenlet then reports the end to the sink."""
        self._run = False
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(std_socket.SHUT_RDWR)
        if self._receive_events_greenlet is None:
            self._finish(reason, None)

    def _finish(self, reason: str, error: BaseException | None) -> None:
        if self._finished:
            return
        self._finished = True
        self._run = False
        self.connected = False
        pending = list(self._commands_sent)
        self._commands_sent.clear()
        for result in pending:
            result.set_exception(ConnectionLost(reason=reason))
        self._auth_request_event.set()
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock_file.close()
                self.sock.close()
        log.info("ESL connection to %s:%s ended: %s", self.host, self.port, reason)
        self._sink.closed(reason, error)
