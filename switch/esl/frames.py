"""Incremental reader of the ESL wire format (what FreeSWITCH's mod_event_socket sends).

A frame is a block of ``Name: value`` lines ended by an empty line (``\\n\\n``), followed by
exactly ``Content-Length`` bytes of body when that header is present. Header values are
url-decoded one line at a time (as libesl's ``esl_recv_event`` does), never the whole block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from switch.esl.errors import EslProtocolError
from switch.esl.urlcodec import url_decode

MAX_HEADER_BYTES: Final = 64 * 1024
MAX_BODY_BYTES: Final = 16 * 1024 * 1024

CONTENT_TYPES: Final = frozenset(
    {
        "auth/request",
        "command/reply",
        "api/response",
        "text/event-plain",
        "text/event-json",
        "text/event-xml",
        "text/disconnect-notice",
        "text/rude-rejection",
        "log/data",
    }
)
EVENT_CONTENT_TYPES: Final = frozenset({"text/event-plain", "text/event-json", "text/event-xml"})


@dataclass(frozen=True, slots=True)
class Frame:
    """One ESL frame: its header lines (raw, as on the wire), its body and where it started."""

    raw_headers: tuple[tuple[str, str], ...]
    body: bytes
    offset: int
    head: bytes

    def raw_header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), exactly as sent."""
        wanted = name.lower()
        for key, value in self.raw_headers:
            if key.lower() == wanted:
                return value
        return None

    def header(self, name: str) -> str | None:
        """The first header called ``name``, url-decoded."""
        value = self.raw_header(name)
        return None if value is None else url_decode(value)

    @property
    def headers(self) -> dict[str, str]:
        """Every header, url-decoded; the first of repeated names wins."""
        out: dict[str, str] = {}
        for key, value in self.raw_headers:
            out.setdefault(key, url_decode(value))
        return out

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header, or None."""
        return self.raw_header("Content-Type")

    @property
    def is_event(self) -> bool:
        """True for ``text/event-*`` frames."""
        return self.content_type in EVENT_CONTENT_TYPES

    @property
    def carries_channel_data(self) -> bool:
        """True for the outbound ``connect`` reply, whose header block is a serialized event."""
        return self.content_type == "command/reply" and self.raw_header("Event-Name") is not None


def parse_content_length(value: str, *, offset: int) -> int:
    """A ``Content-Length`` value as an int; anything but plain decimal digits is an error."""
    stripped = value.strip(" \t")
    if stripped.startswith("-") and stripped[1:].isascii() and stripped[1:].isdigit():
        raise EslProtocolError(
            "negative Content-Length", offset=offset, data=value.encode("utf-8", "replace")
        )
    if not (stripped.isascii() and stripped.isdigit()):
        raise EslProtocolError(
            "non-numeric Content-Length", offset=offset, data=value.encode("utf-8", "replace")
        )
    return int(stripped)


def split_header_line(line: str, *, offset: int) -> tuple[str, str]:
    """Split ``Name: value`` at the first colon, skipping the blanks after it (as libesl does)."""
    name, sep, value = line.partition(":")
    if not sep:
        raise EslProtocolError(
            "header line without a colon", offset=offset, data=line.encode("utf-8", "replace")
        )
    if not name:
        raise EslProtocolError(
            "header line with an empty name", offset=offset, data=line.encode("utf-8", "replace")
        )
    return name, value.lstrip(" \t")


class FrameReader:
    """Feed it bytes as they arrive; it returns every frame completed so far.

    After an :class:`EslProtocolError` the reader stays failed (the caller should drop the
    connection); ``close()`` reports a frame cut short by the end of the stream.
    """

    def __init__(
        self, *, max_header_bytes: int = MAX_HEADER_BYTES, max_body_bytes: int = MAX_BODY_BYTES
    ) -> None:
        self._max_header = max_header_bytes
        self._max_body = max_body_bytes
        self._buf = bytearray()
        self._base = 0  # stream offset of self._buf[0]
        self._scan = 0  # buffer position up to which complete header lines were checked
        self._head: tuple[tuple[tuple[str, str], ...], bytes, int] | None = None
        self._need = 0  # body bytes awaited when self._head is set
        self._start = 0  # buffer position where the current frame starts
        self._failed: EslProtocolError | None = None

    @property
    def offset(self) -> int:
        """Stream offset of the first byte not yet consumed into a frame."""
        return self._base + self._start

    @property
    def pending(self) -> int:
        """Bytes held for a frame that is not complete yet."""
        return len(self._buf) - self._start

    def feed(self, data: bytes) -> list[Frame]:
        """Consume ``data`` and return the frames it completed."""
        if self._failed is not None:
            raise self._failed
        self._buf += data
        frames: list[Frame] = []
        try:
            self._drain(frames)
        except EslProtocolError as exc:
            exc.frames = frames
            self._failed = exc
            raise
        finally:
            if self._start:
                del self._buf[: self._start]
                self._base += self._start
                self._scan = max(0, self._scan - self._start)
                self._start = 0
        return frames

    def close(self) -> None:
        """Declare the end of the stream; a partial frame left over is an error."""
        if self._failed is not None:
            raise self._failed
        if self.pending:
            exc = EslProtocolError(
                "stream ended inside a frame",
                offset=self._head[2] if self._head is not None else self.offset,
                data=bytes(self._buf[self._start : self._start + 64]),
            )
            self._failed = exc
            raise exc

    def _drain(self, frames: list[Frame]) -> None:
        buf = self._buf
        while True:
            if self._head is None:
                start = self._start
                # Stray blank lines between frames carry nothing (mod_event_socket skips them).
                while start < len(buf) and buf[start] == 0x0A:
                    start += 1
                if start != self._start:
                    self._start = start
                    self._scan = max(self._scan, start)
                end = buf.find(b"\n\n", max(start, self._scan - 1))
                if end < 0:
                    self._check_partial_head(start)
                    return
                if end - start > self._max_header:
                    raise EslProtocolError(
                        "header block larger than the limit",
                        offset=self._base + start + self._max_header,
                        data=bytes(buf[start : start + 64]),
                    )
                head = bytes(buf[start:end])
                headers, length = self._parse_head(head, self._base + start)
                self._start = end + 2
                self._scan = self._start
                if length == 0:
                    frames.append(Frame(headers, b"", self._base + start, head))
                    continue
                self._head = (headers, head, self._base + start)
                self._need = length
            if len(buf) - self._start < self._need:
                return
            headers, head, offset = self._head
            body_end = self._start + self._need
            frames.append(Frame(headers, bytes(buf[self._start : body_end]), offset, head))
            self._start = body_end
            self._scan = body_end
            self._head = None
            self._need = 0

    def _check_partial_head(self, start: int) -> None:
        buf = self._buf
        if len(buf) - start > self._max_header:
            raise EslProtocolError(
                "header block larger than the limit",
                offset=self._base + start + self._max_header,
                data=bytes(buf[start : start + 64]),
            )
        last_nl = buf.rfind(b"\n", max(start, self._scan))
        if last_nl < 0:
            return
        pos = max(start, self._scan)
        for line in bytes(buf[pos:last_nl]).split(b"\n"):
            if b":" not in line or line.startswith(b":"):
                text = line.decode("utf-8", "surrogateescape")
                split_header_line(text, offset=self._base + pos)
            pos += len(line) + 1
        self._scan = last_nl + 1

    def _parse_head(self, head: bytes, offset: int) -> tuple[tuple[tuple[str, str], ...], int]:
        headers: list[tuple[str, str]] = []
        length = 0
        seen_length: int | None = None
        pos = offset
        for line in head.decode("utf-8", "surrogateescape").split("\n"):
            name, value = split_header_line(line, offset=pos)
            if name.lower() == "content-length":
                parsed = parse_content_length(value, offset=pos)
                if seen_length is not None and parsed != seen_length:
                    raise EslProtocolError(
                        "conflicting Content-Length headers", offset=pos, data=line.encode()
                    )
                if parsed > self._max_body:
                    raise EslProtocolError(
                        "body larger than the limit", offset=pos, data=line.encode()
                    )
                seen_length = length = parsed
            headers.append((name, value))
            pos += len(line.encode("utf-8", "surrogateescape")) + 1
        return tuple(headers), length
