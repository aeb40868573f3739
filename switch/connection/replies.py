"""Turning FreeSWITCH reply texts (``+OK ...`` / ``-ERR ...``) into results or typed errors."""

from __future__ import annotations

from typing import Final

from switch.connection.errors import CommandFailed, NoSuchChannel, OriginateFailed

# Texts mod_commands.c writes when a UUID is not found (several spellings across commands).
_NO_SUCH_CHANNEL: Final = ("no such channel", "invalid uuid", "no such call")


def check_reply(command: str, reply: str, *, originate: bool = False) -> str:
    """The reply without its ``+OK`` prefix, or raise the matching :class:`CommandFailed`."""
    text = reply.strip()
    if text.startswith("-ERR") or text.startswith("-USAGE"):
        reason = text.split(" ", 1)[1].strip() if " " in text else ""
        lowered = reason.lower()
        if any(marker in lowered for marker in _NO_SUCH_CHANNEL):
            raise NoSuchChannel(command=command, reply=text, reason=reason)
        if originate:
            raise OriginateFailed(command=command, reply=text, reason=reason)
        raise CommandFailed(command=command, reply=text, reason=reason)
    if text.startswith("+OK"):
        return text[3:].strip()
    return text
