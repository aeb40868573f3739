"""Client commands to FreeSWITCH, encoded as read_packet() in mod_event_socket.c parses them.

A command is its first line plus optional ``Name: value`` lines, ended by an empty line.
Every argument is checked: CR, LF or NUL would end the line (or the C string) early and let a
caller-supplied value smuggle in a second command, so they are rejected with EslCommandError.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, Literal

from switch.esl.errors import EslCommandError

EventFormat = Literal["plain", "json", "xml"]

_FORBIDDEN: Final = ("\n", "\r", "\x00")


def _check(field: str, value: str, *, token: bool = False, allow_empty: bool = False) -> str:
    for char in _FORBIDDEN:
        if char in value:
            raise EslCommandError(field=field, value=value, reason=f"contains {char!r}")
    if not value and not allow_empty:
        raise EslCommandError(field=field, value=value, reason="is empty")
    if token and any(c.isspace() for c in value):
        raise EslCommandError(field=field, value=value, reason="must be one word")
    return value


def _command(first_line: str, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [first_line]
    for name, value in headers:
        _check("header name", name, token=True)
        if ":" in name:
            raise EslCommandError(field="header name", value=name, reason="contains ':'")
        _check(name, value, allow_empty=True)
        lines.append(f"{name}: {value}")
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def auth(password: str) -> bytes:
    """``auth <password>``: answer to auth/request on an inbound connection."""
    return _command(f"auth {_check('password', password)}")


def connect() -> bytes:
    """``connect``: the first command on an outbound (socket application) connection."""
    return _command("connect")


def event(fmt: EventFormat, events: Sequence[str] | Literal["ALL"] = "ALL") -> bytes:
    """``event plain|json|xml ALL`` or a list of event names (``CUSTOM a::b`` for subclasses)."""
    names = ["ALL"] if events == "ALL" else [_check("event", e, token=True) for e in events]
    if not names:
        raise EslCommandError(field="events", value="", reason="is empty")
    return _command(f"event {fmt} {' '.join(names)}")


def nixevent(events: Sequence[str]) -> bytes:
    """``nixevent <names>``: stop receiving some events."""
    names = [_check("event", e, token=True) for e in events]
    if not names:
        raise EslCommandError(field="events", value="", reason="is empty")
    return _command(f"nixevent {' '.join(names)}")


def noevents() -> bytes:
    """``noevents``: stop receiving events."""
    return _command("noevents")


def myevents(uuid: str | None = None, fmt: EventFormat = "plain") -> bytes:
    """``myevents [uuid] [format]``: events of one channel only."""
    if uuid is None:
        return _command(f"myevents {fmt}")
    return _command(f"myevents {_check('uuid', uuid, token=True)} {fmt}")


def linger(seconds: int | None = None) -> bytes:
    """``linger [seconds]``: keep the socket open after hangup to receive the last events."""
    if seconds is None:
        return _command("linger")
    if seconds <= 0:
        raise EslCommandError(field="seconds", value=str(seconds), reason="must be positive")
    return _command(f"linger {seconds}")


def nolinger() -> bytes:
    """``nolinger``."""
    return _command("nolinger")


def filter_add(header: str, value: str) -> bytes:
    """``filter <header> <value>``: only events whose header matches are delivered."""
    return _command(f"filter {_check('header', header, token=True)} {_check('value', value)}")


def filter_delete(header: str, value: str | None = None) -> bytes:
    """``filter delete <header> [value]`` (``filter delete all`` clears every filter)."""
    line = f"filter delete {_check('header', header, token=True)}"
    if value is not None:
        line += f" {_check('value', value)}"
    return _command(line)


def api(command: str, arg: str | None = None) -> bytes:
    """``api <command> [arg]``: blocking; prefer :func:`bgapi` on a connection that reads events."""
    line = f"api {_check('command', command, token=True)}"
    if arg:
        line += f" {_check('arg', arg)}"
    return _command(line)


def bgapi(command: str, arg: str | None = None, *, job_uuid: str | None = None) -> bytes:
    """``bgapi <command> [arg]`` with an optional ``Job-UUID`` header to match BACKGROUND_JOB."""
    line = f"bgapi {_check('command', command, token=True)}"
    if arg:
        line += f" {_check('arg', arg)}"
    headers = [] if job_uuid is None else [("Job-UUID", _check("job_uuid", job_uuid, token=True))]
    return _command(line, headers)


def sendmsg_execute(
    app: str,
    arg: str | None = None,
    *,
    uuid: str | None = None,
    event_lock: bool = True,
    loops: int | None = None,
    event_uuid: str | None = None,
) -> bytes:
    """``sendmsg`` with ``call-command: execute``: run a dialplan application on a channel."""
    line = "sendmsg" if uuid is None else f"sendmsg {_check('uuid', uuid, token=True)}"
    headers = [("call-command", "execute"), ("execute-app-name", _check("app", app, token=True))]
    if arg:
        headers.append(("execute-app-arg", _check("arg", arg)))
    if loops is not None:
        headers.append(("loops", str(loops)))
    if event_lock:
        headers.append(("event-lock", "true"))
    if event_uuid is not None:
        headers.append(("Event-UUID", _check("event_uuid", event_uuid, token=True)))
    return _command(line, headers)


def sendmsg(
    call_command: str, headers: Sequence[tuple[str, str]] = (), *, uuid: str | None = None
) -> bytes:
    """A generic ``sendmsg`` (hangup, unicast, nomedia...) with its headers."""
    line = "sendmsg" if uuid is None else f"sendmsg {_check('uuid', uuid, token=True)}"
    return _command(line, [("call-command", _check("call_command", call_command)), *headers])


def exit_() -> bytes:
    """``exit``: FreeSWITCH replies ``+OK bye`` and closes the socket."""
    return _command("exit")
