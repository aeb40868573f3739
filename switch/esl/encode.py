"""Bytes exactly as FreeSWITCH writes them (for the FreeSWITCH stand-in and round-trip tests).

Formats checked in src/mod/event_handlers/mod_event_socket/mod_event_socket.c (event frames,
api/response, command/reply and its ``~`` raw form, auth/request, disconnect and linger
notices, text/rude-rejection, log/data, the outbound ``connect`` reply) and src/switch_event.c
(switch_event_serialize: ``Name: value\\n`` lines with url-encoded values, ``_undef_`` for an
empty value, then ``Content-Length: N\\n\\n`` + body, or a lone ``\\n`` when there is no body;
switch_event_serialize_json: headers in order, arrays as lists, then Content-Length and _body).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Literal

from switch.esl.event import EslEvent
from switch.esl.frames import Frame
from switch.esl.urlcodec import url_encode

EventFormat = Literal["plain", "json", "xml"]

DISCONNECT_GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
RUDE_REJECTION = "Access Denied, go away.\n"


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")


def serialize_event(
    headers: Iterable[tuple[str, str | bytes]],
    body: bytes | str | None = None,
    *,
    double_encode: bool = True,
) -> bytes:
    """switch_event_serialize(event, &str, SWITCH_TRUE): the text/event-plain payload."""
    parts: list[str] = []
    for name, value in headers:
        encoded = url_encode(value, double_encode=double_encode)
        parts.append(f"{name}: {encoded or '_undef_'}\n")
    out = "".join(parts).encode("utf-8", "surrogateescape")
    data = b"" if body is None else _bytes(body)
    if data:
        return out + b"Content-Length: %d\n\n" % len(data) + data
    return out + b"\n"


def encode_event_plain(event: EslEvent, *, double_encode: bool = True) -> bytes:
    """An event's text/event-plain payload, re-encoded from its decoded values."""
    return serialize_event(event.items(), event.body, double_encode=double_encode)


def encode_event_json(event: EslEvent) -> bytes:
    """switch_event_serialize_json: one unformatted JSON object, values not url-encoded."""
    obj: dict[str, object] = {}
    for name, value in event.items():
        if name in obj:
            continue
        obj[name] = value[7:].split("|:") if value.startswith("ARRAY::") else value
    if event.body:
        text = event.body.decode("utf-8", "surrogateescape")
        obj["Content-Length"] = str(len(event.body))
        obj["_body"] = text
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogateescape"
    )


def event_frame(payload: bytes, fmt: EventFormat = "plain") -> bytes:
    """The frame mod_event_socket sends for one queued event."""
    return (
        b"Content-Length: %d\nContent-Type: text/event-%s\n\n"
        % (
            len(payload),
            fmt.encode(),
        )
        + payload
    )


def auth_request() -> bytes:
    """The greeting an inbound connection receives."""
    return b"Content-Type: auth/request\n\n"


def command_reply(reply_text: str) -> bytes:
    """A plain command/reply; Reply-Text is NOT url-encoded by mod_event_socket."""
    return f"Content-Type: command/reply\nReply-Text: {reply_text}\n\n".encode()


def command_reply_raw(raw: str) -> bytes:
    """The ``~`` reply form: header lines written verbatim after Content-Type."""
    return f"Content-Type: command/reply\n{raw}".encode()


def bgapi_reply(job_uuid: str) -> bytes:
    """The command/reply to ``bgapi``: Reply-Text plus a Job-UUID header."""
    return command_reply_raw(f"Reply-Text: +OK Job-UUID: {job_uuid}\nJob-UUID: {job_uuid}\n\n")


def api_response(body: bytes | str) -> bytes:
    """The api/response frame; an empty result becomes ``-ERR no reply``."""
    data = _bytes(body) or b"-ERR no reply\n"
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(data) + data


def connect_reply(
    channel_headers: Iterable[tuple[str, str | bytes]], *, async_mode: bool, full: bool
) -> bytes:
    """The outbound-socket ``connect`` reply: a serialized CHANNEL_DATA event, no outer frame."""
    headers = [
        *channel_headers,
        ("Content-Type", "command/reply"),
        ("Reply-Text", "+OK\n"),
        ("Socket-Mode", "async" if async_mode else "static"),
        ("Control", "full" if full else "single-channel"),
    ]
    return serialize_event(headers)


def disconnect_notice(
    message: str = DISCONNECT_GOODBYE, *, controlled_session_uuid: str | None = None
) -> bytes:
    """send_disconnect(): the notice before FreeSWITCH closes the socket."""
    data = (message or "Disconnected.\n").encode()
    if controlled_session_uuid:
        head = (
            "Content-Type: text/disconnect-notice\n"
            f"Controlled-Session-UUID: {controlled_session_uuid}\n"
            "Content-Disposition: disconnect\n"
            f"Content-Length: {len(data)}\n\n"
        )
    else:
        head = f"Content-Type: text/disconnect-notice\nContent-Length: {len(data)}\n\n"
    return head.encode() + data


def linger_notice(*, controlled_session_uuid: str, channel_name: str, linger_time: int) -> bytes:
    """The notice sent when a lingering socket's channel hangs up (values not url-encoded)."""
    return (
        "Content-Type: text/disconnect-notice\n"
        f"Controlled-Session-UUID: {controlled_session_uuid}\n"
        "Content-Disposition: linger\n"
        f"Channel-Name: {channel_name}\n"
        f"Linger-Time: {linger_time}\n"
        "Content-Length: 0\n\n"
    ).encode()


def rude_rejection(message: str = RUDE_REJECTION) -> bytes:
    """What a connection refused by the ACL receives."""
    data = message.encode()
    return b"Content-Type: text/rude-rejection\nContent-Length: %d\n\n" % len(data) + data


def log_data(
    data: bytes | str,
    *,
    level: int,
    text_channel: int,
    log_file: str,
    log_func: str,
    log_line: int,
    user_data: str | None = None,
) -> bytes:
    """One log/data frame as read_packet() writes it."""
    payload = _bytes(data)
    head = (
        "Content-Type: log/data\n"
        f"Content-Length: {len(payload)}\n"
        f"Log-Level: {level}\n"
        f"Text-Channel: {text_channel}\n"
        f"Log-File: {log_file}\n"
        f"Log-Func: {log_func}\n"
        f"Log-Line: {log_line}\n"
        f"User-Data: {user_data or ''}\n\n"
    )
    return head.encode() + payload


def encode_frame(frame: Frame) -> bytes:
    """Re-encode a decoded frame the way FreeSWITCH produces that kind of frame."""
    ctype = frame.content_type
    if ctype == "text/event-plain":
        event = EslEvent.from_plain(frame.body)
        return event_frame(encode_event_plain(event), "plain")
    if ctype == "text/event-json":
        event = EslEvent.from_json(frame.body)
        return event_frame(encode_event_json(event), "json")
    if ctype == "text/event-xml":
        return event_frame(frame.body, "xml")
    if ctype == "auth/request":
        return auth_request()
    if ctype == "api/response":
        return api_response(frame.body)
    if ctype == "text/rude-rejection":
        return rude_rejection(frame.body.decode("utf-8", "surrogateescape"))
    if ctype == "command/reply":
        return _encode_command_reply(frame)
    if ctype == "text/disconnect-notice":
        return _encode_disconnect(frame)
    if ctype == "log/data":
        return log_data(
            frame.body,
            level=int(frame.raw_header("Log-Level") or 0),
            text_channel=int(frame.raw_header("Text-Channel") or 0),
            log_file=frame.raw_header("Log-File") or "",
            log_func=frame.raw_header("Log-Func") or "",
            log_line=int(frame.raw_header("Log-Line") or 0),
            user_data=frame.raw_header("User-Data"),
        )
    lines = "".join(f"{name}: {value}\n" for name, value in frame.raw_headers)
    return lines.encode("utf-8", "surrogateescape") + b"\n" + frame.body


def _encode_command_reply(frame: Frame) -> bytes:
    if frame.carries_channel_data:
        event = EslEvent.from_plain(frame.head + b"\n\n")
        return serialize_event(event.items())
    names = [name for name, _ in frame.raw_headers]
    reply = frame.raw_header("Reply-Text")
    if names == ["Content-Type", "Reply-Text"] and reply is not None:
        return command_reply(reply)
    rest = "".join(f"{n}: {v}\n" for n, v in frame.raw_headers if n != "Content-Type")
    return command_reply_raw(rest + "\n")


def _encode_disconnect(frame: Frame) -> bytes:
    uuid = frame.raw_header("Controlled-Session-UUID")
    if frame.raw_header("Content-Disposition") == "linger" and uuid:
        return linger_notice(
            controlled_session_uuid=uuid,
            channel_name=frame.raw_header("Channel-Name") or "",
            linger_time=int(frame.raw_header("Linger-Time") or -1),
        )
    return disconnect_notice(
        frame.body.decode("utf-8", "surrogateescape"), controlled_session_uuid=uuid
    )
