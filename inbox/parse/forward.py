"""Finding the original sender and subject of a forwarded mail written inline in the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(
    r"^[>\s]*(?:"
    r"-{2,}\s*(?:original message|forwarded message|元のメッセージ|転送メッセージ"
    r"|転送されたメッセージ|オリジナルメッセージ)\s*-{2,}"
    r"|(?:begin forwarded message|転送されたメッセージ|転送メッセージ)\s*[:：]"
    r"|_{10,}"
    r")\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FIELD = re.compile(r"^[>\s]*([^\s:：][^:：]{0,20}?)\s*[:：]\s*(.*)$")
_MAILTO = re.compile(r"\[mailto:([^\]]+)\]", re.IGNORECASE)
_FROM_NAMES = frozenset({"from", "差出人", "送信者", "送信元", "差出元"})
_SUBJECT_NAMES = frozenset({"subject", "件名", "題名"})
_KNOWN_NAMES = (
    _FROM_NAMES
    | _SUBJECT_NAMES
    | frozenset(
        {
            "date",
            "sent",
            "to",
            "cc",
            "bcc",
            "日付",
            "送信日時",
            "宛先",
            "reply-to",
            "送信日",
            "受信日時",
            "返信先",
        }
    )
)


@dataclass(frozen=True)
class ForwardedHeaders:
    """Original sender and subject of a forwarded message."""

    subject: str
    sender: str


def find_inline_forward(text: str) -> ForwardedHeaders | None:
    """Sender and subject from the first inline forwarded/original-message block, if any."""
    for marker in _MARKER.finditer(text):
        block = text[marker.end() :].lstrip("\n").split("\n")
        subject: str | None = None
        sender: str | None = None
        seen_field = False
        for line in block[:15]:
            if not line.strip().lstrip(">").strip():
                if seen_field:
                    break
                continue
            match = _FIELD.match(line)
            if match is None:
                break
            name = match.group(1).strip().lower()
            if name not in _KNOWN_NAMES:
                break
            seen_field = True
            value = match.group(2).strip()
            if name in _FROM_NAMES and sender is None:
                sender = _MAILTO.sub(r"<\1>", value)
            elif name in _SUBJECT_NAMES and subject is None:
                subject = value
        if sender is not None or subject is not None:
            return ForwardedHeaders(subject=subject or "", sender=sender or "")
    return None
