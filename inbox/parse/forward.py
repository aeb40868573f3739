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


def _read_block(lines: list[str]) -> tuple[dict[str, str], int]:
    """Header-like fields at the start of ``lines`` (name -> first value) and how many."""
    fields: dict[str, str] = {}
    count = 0
    for line in lines[:15]:
        if not line.strip().lstrip(">").strip():
            if count:
                break
            continue
        match = _FIELD.match(line)
        if match is None:
            break
        name = match.group(1).strip().lower()
        if name not in _KNOWN_NAMES:
            break
        count += 1
        fields.setdefault(name, match.group(2).strip())
    return fields, count


def _headers_from(fields: dict[str, str]) -> ForwardedHeaders | None:
    sender = next((fields[n] for n in fields if n in _FROM_NAMES), None)
    subject = next((fields[n] for n in fields if n in _SUBJECT_NAMES), None)
    if sender is None and subject is None:
        return None
    return ForwardedHeaders(
        subject=subject or "", sender=_MAILTO.sub(r"<\1>", sender) if sender else ""
    )


def find_inline_forward(text: str) -> ForwardedHeaders | None:
    """Sender and subject from the first inline forwarded/original-message block, if any.

    A block follows a marker line (-----Original Message-----, 転送メッセージ, 元のメッセージ,
    Outlook's underscore rule); without a marker, a run of at least three header lines that
    names both the sender and the subject counts too (Outlook's HTML-to-text forwards).
    """
    for marker in _MARKER.finditer(text):
        fields, _ = _read_block(text[marker.end() :].lstrip("\n").split("\n"))
        found = _headers_from(fields)
        if found is not None:
            return found
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index and lines[index - 1].strip():
            continue  # a header block starts a paragraph
        if _FIELD.match(line) is None:
            continue
        fields, count = _read_block(lines[index:])
        has_from = any(n in _FROM_NAMES for n in fields)
        has_subject = any(n in _SUBJECT_NAMES for n in fields)
        if count >= 3 and has_from and has_subject:
            return _headers_from(fields)
    return None
