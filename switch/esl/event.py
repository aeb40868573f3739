"""FreeSWITCH events parsed from ``text/event-plain`` or ``text/event-json`` bodies.

Security rule: the header block is split into lines FIRST, each line at its first ``": "``,
and only then is each value url-decoded. A caller name holding ``%0A`` therefore stays one
value; decoding the block before splitting (as greenswitch does) lets callers inject headers.
Values are kept raw and decoded on first access.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Final, cast

from switch.esl.errors import EslProtocolError
from switch.esl.frames import Frame
from switch.esl.urlcodec import url_decode, url_decode_bytes

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_VARIABLE_PREFIX: Final = "variable_"
_NAME: Final = itemgetter(0)
_SEP: Final = itemgetter(1)
_NAME_VALUE: Final = itemgetter(0, 2)


class EslEvent:
    """One event: ordered headers (raw, decoded lazily), an optional body, typed accessors."""

    __slots__ = ("_cache", "_encoded", "_first", "_lower", "_pairs", "body")

    def __init__(
        self,
        pairs: list[tuple[str, str]],
        body: bytes | None = None,
        *,
        encoded: bool = True,
    ) -> None:
        self._pairs = pairs
        self._encoded = encoded
        self._first: dict[str, str] | None = None
        self._lower: dict[str, str] | None = None
        self._cache: dict[str, str] = {}
        self.body = body

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_plain(cls, data: bytes, *, offset: int = 0) -> EslEvent:
        """Parse a ``text/event-plain`` body (url-encoded headers, optional inner body)."""
        start = 0
        while start < len(data) and data[start] == 0x0A:
            start += 1
        end = data.find(b"\n\n", start)
        if end < 0:
            head_end = len(data) - 1 if data.endswith(b"\n") else len(data)
            rest = b""
        else:
            head_end = end
            rest = data[end + 2 :]
        pairs: list[tuple[str, str]] = []
        length: int | None = None
        if head_end > start:
            text = data[start:head_end].decode("utf-8", "surrogateescape")
            # Split into lines FIRST, then each line at its first ": "; decode later.
            parts = [line.partition(": ") for line in text.split("\n")]
            if "" in map(_SEP, parts) or "" in map(_NAME, parts):
                pairs = _split_lines_slowly(text, data, offset)
            else:
                pairs = list(map(_NAME_VALUE, parts))
            if "content-length" in text.lower():
                kept = []
                for name, value in pairs:
                    if name.lower() == "content-length":
                        length = _content_length(value, f"{name}: {value}", data, offset)
                    else:
                        kept.append((name, value))
                pairs = kept
        body = _body(rest, length, offset + (end + 2 if end >= 0 else len(data)))
        return cls(pairs, body)

    @classmethod
    def from_json(cls, data: bytes | str, *, offset: int = 0) -> EslEvent:
        """Parse a ``text/event-json`` body; values there are plain text, not url-encoded."""
        try:
            obj = json.loads(data)
        except ValueError as exc:
            raise EslProtocolError(
                f"invalid JSON event: {exc}", offset=offset, data=_as_bytes(data)
            ) from exc
        if not isinstance(obj, dict):
            raise EslProtocolError(
                "JSON event is not an object", offset=offset, data=_as_bytes(data)
            )
        pairs: list[tuple[str, str]] = []
        body: bytes | None = None
        for name, value in cast(dict[str, object], obj).items():
            if name == "_body":
                body = str(value).encode("utf-8", "surrogateescape")
            elif name.lower() == "content-length":
                continue
            elif isinstance(value, list):
                pairs.append((name, "ARRAY::" + "|:".join(str(v) for v in value)))
            elif isinstance(value, str):
                pairs.append((name, value))
            else:
                pairs.append((name, json.dumps(value)))
        return cls(pairs, body, encoded=False)

    @classmethod
    def from_frame(cls, frame: Frame) -> EslEvent | None:
        """The event a frame carries, or None (replies, notices, XML events)."""
        ctype = frame.content_type
        if ctype == "text/event-plain":
            return cls.from_plain(frame.body, offset=frame.offset + len(frame.head) + 2)
        if ctype == "text/event-json":
            return cls.from_json(frame.body, offset=frame.offset + len(frame.head) + 2)
        if frame.carries_channel_data:
            return cls.from_plain(frame.head + b"\n\n", offset=frame.offset)
        return None

    # -- generic access ---------------------------------------------------------------------

    def _raw(self, name: str) -> str | None:
        first = self._first
        if first is None:
            first = self._first = dict(reversed(self._pairs))
        raw = first.get(name)
        if raw is None:
            lower = self._lower
            if lower is None:
                lower = self._lower = {k.lower(): v for k, v in reversed(self._pairs)}
            raw = lower.get(name.lower())
        return raw

    def _decode(self, raw: str) -> str:
        return url_decode(raw) if self._encoded else raw

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first header called ``name`` (case-insensitive, as FreeSWITCH looks them up)."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        raw = self._raw(name)
        if raw is None:
            return default
        value = self._cache[name] = self._decode(raw)
        return value

    def get_raw(self, name: str) -> str | None:
        """The header exactly as on the wire (still url-encoded for plain events)."""
        return self._raw(name)

    def get_bytes(self, name: str) -> bytes | None:
        """The decoded value as bytes, for callers that must handle non-UTF-8 text."""
        raw = self._raw(name)
        if raw is None:
            return None
        return url_decode_bytes(raw) if self._encoded else raw.encode("utf-8", "surrogateescape")

    def get_array(self, name: str) -> list[str] | None:
        """An ``ARRAY::a|:b`` header as a list; a plain value as a one-item list."""
        value = self.get(name)
        if value is None:
            return None
        if value.startswith("ARRAY::"):
            return value[7:].split("|:")
        return [value]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._raw(name) is not None

    def __len__(self) -> int:
        return len(self._pairs)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._pairs)

    def items(self) -> list[tuple[str, str]]:
        """Every header in wire order, decoded."""
        return [(key, self._decode(raw)) for key, raw in self._pairs]

    def raw_items(self) -> list[tuple[str, str]]:
        """Every header in wire order, as received."""
        return list(self._pairs)

    @property
    def headers(self) -> dict[str, str]:
        """Decoded headers as a dict; the first of repeated names wins."""
        out: dict[str, str] = {}
        for key, raw in self._pairs:
            if key not in out:
                out[key] = self._decode(raw)
        return out

    @property
    def body_text(self) -> str | None:
        """The inner body as text (UTF-8), or None."""
        return None if self.body is None else self.body.decode("utf-8", "replace")

    # -- typed accessors --------------------------------------------------------------------

    @property
    def name(self) -> str | None:
        """Event-Name, e.g. CHANNEL_ANSWER or CUSTOM."""
        return self.get("Event-Name")

    @property
    def subclass(self) -> str | None:
        """Event-Subclass of CUSTOM events, e.g. callcenter::info."""
        return self.get("Event-Subclass")

    @property
    def unique_id(self) -> str | None:
        """Unique-ID: the channel UUID."""
        return self.get("Unique-ID")

    @property
    def job_uuid(self) -> str | None:
        """Job-UUID of BACKGROUND_JOB events."""
        return self.get("Job-UUID")

    @property
    def caller_id_name(self) -> str | None:
        """Caller-Caller-ID-Name (attacker-controlled text)."""
        return self.get("Caller-Caller-ID-Name")

    @property
    def caller_id_number(self) -> str | None:
        """Caller-Caller-ID-Number (attacker-controlled text)."""
        return self.get("Caller-Caller-ID-Number")

    @property
    def destination_number(self) -> str | None:
        """Caller-Destination-Number."""
        return self.get("Caller-Destination-Number")

    @property
    def channel_state(self) -> str | None:
        """Channel-State, e.g. CS_EXECUTE."""
        return self.get("Channel-State")

    @property
    def answer_state(self) -> str | None:
        """Answer-State: ringing, early, answered or hangup."""
        return self.get("Answer-State")

    @property
    def hangup_cause(self) -> str | None:
        """Hangup-Cause, falling back to the hangup_cause channel variable."""
        return self.get("Hangup-Cause") or self.get("variable_hangup_cause")

    @property
    def variables(self) -> Mapping[str, str]:
        """Channel variables (``variable_*`` headers) without the prefix, decoded."""
        out: dict[str, str] = {}
        for key, raw in self._pairs:
            if key.startswith(_VARIABLE_PREFIX):
                name = key[len(_VARIABLE_PREFIX) :]
                if name not in out:
                    out[name] = self._decode(raw)
        return out

    @property
    def timestamp(self) -> datetime | None:
        """Event-Date-Timestamp (microseconds since the epoch) as an aware UTC datetime."""
        raw = self.get("Event-Date-Timestamp")
        if raw is None or not (raw.isascii() and raw.isdigit()):
            return None
        return _EPOCH + timedelta(microseconds=int(raw))

    @property
    def sequence(self) -> int | None:
        """Event-Sequence as an int."""
        raw = self.get("Event-Sequence")
        if raw is None or not (raw.isascii() and raw.isdigit()):
            return None
        return int(raw)

    def __repr__(self) -> str:
        return f"EslEvent(name={self.name!r}, unique_id={self.unique_id!r}, headers={len(self)})"


def _split_lines_slowly(text: str, data: bytes, offset: int) -> list[tuple[str, str]]:
    """Line-by-line split for blocks holding a line without ``": "`` (or an empty name)."""
    pairs: list[tuple[str, str]] = []
    for line in text.split("\n"):
        name, sep, value = line.partition(": ")
        if not sep or not name:
            name, value = _split_loose(line, data, offset)
        pairs.append((name, value))
    return pairs


def _split_loose(line: str, data: bytes, offset: int) -> tuple[str, str]:
    """A line without ``": "``: accept ``Name:value``; anything else is malformed."""
    name, sep, value = line.partition(":")
    if not sep or not name:
        encoded = line.encode("utf-8", "surrogateescape")
        where = data.find(encoded)
        raise EslProtocolError(
            "event header line without a colon",
            offset=offset + max(where, 0),
            data=encoded,
        )
    return name, value.lstrip(" ")


def _content_length(value: str, line: str, data: bytes, offset: int) -> int:
    stripped = value.strip(" ")
    if not (stripped.isascii() and stripped.isdigit()):
        encoded = line.encode("utf-8", "surrogateescape")
        raise EslProtocolError(
            "invalid Content-Length inside event",
            offset=offset + max(data.find(encoded), 0),
            data=encoded,
        )
    return int(stripped)


def _body(rest: bytes, length: int | None, offset: int) -> bytes | None:
    if length is None:
        if rest.strip(b"\n"):
            raise EslProtocolError(
                "data after event headers without Content-Length", offset=offset, data=rest
            )
        return None
    if len(rest) != length:
        raise EslProtocolError(
            f"event body is {len(rest)} bytes but its Content-Length says {length}",
            offset=offset,
            data=rest,
        )
    return rest


def _as_bytes(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "replace")
