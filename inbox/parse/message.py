"""Parsing one received mail into what an agent needs to read and answer it.

``parse_message`` never raises on bad input (only on empty input) and never modifies or
copies away the raw bytes: problems become ``warnings`` so the caller can queue or quarantine
the message with a clear reason while keeping the original.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

from pydantic import BaseModel, ConfigDict

from inbox.parse.autoreply import auto_reasons
from inbox.parse.charsets import decode_text
from inbox.parse.errors import MailUnparseable
from inbox.parse.forward import find_inline_forward
from inbox.parse.headers import (
    Address,
    decode_header,
    parse_addresses,
    parse_msg_ids,
    parse_param_header,
)
from inbox.parse.html import html_to_text
from inbox.parse.mime import Part, decode_body, decoded_size, parse_entity
from inbox.parse.tiff import tiff_problem

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
JST = timezone(timedelta(hours=9))

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_JST_NAMED = re.compile(r"\bJST\b", re.IGNORECASE)
_NUMERIC_ZONE = re.compile(r"[+-]\d{4}\b")
_TIFF_TYPES = frozenset({"image/tiff", "image/tif", "image/x-tiff", "application/tiff"})


class Attachment(BaseModel):
    """One attached file: decoded name, declared type and decoded size in bytes."""

    model_config = ConfigDict(frozen=True)

    filename: str | None
    content_type: str
    size: int
    oversized: bool = False
    corrupt: bool = False
    part: str
    in_forwarded: bool = False


class Forwarded(BaseModel):
    """Sender and subject of the original message inside a forward."""

    model_config = ConfigDict(frozen=True)

    subject: str
    sender: str

    def public(self) -> dict[str, str]:
        """JSON form with the mail-style ``from`` key."""
        return {"subject": self.subject, "from": self.sender}


class ParsedMail(BaseModel):
    """Everything an agent sees of a received mail."""

    model_config = ConfigDict(frozen=True)

    subject: str
    sender: str
    sender_address: str
    to: list[str]
    date: str | None
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    text: str
    attachments: list[Attachment]
    is_auto: bool
    auto_reasons: list[str]
    forwarded: Forwarded | None
    html_only: bool
    warnings: list[str]
    raw_size: int

    def public(self) -> dict[str, object]:
        """The JSON shape printed by ``madoguchi mail parse``."""
        return {
            "subject": self.subject,
            "from": self.sender,
            "to": self.to,
            "date": self.date,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": self.references,
            "text": self.text,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "oversized": a.oversized,
                    "corrupt": a.corrupt,
                }
                for a in self.attachments
            ],
            "is_auto": self.is_auto,
            "forwarded": self.forwarded.public() if self.forwarded else None,
            "warnings": self.warnings,
        }


class _Collector:
    def __init__(self, max_attachment_bytes: int) -> None:
        self.max_attachment_bytes = max_attachment_bytes
        self.plain: list[str] = []
        self.used_html = False
        self.attachments: list[Attachment] = []
        self.forwards: list[Part] = []
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def _filename(part: Part) -> str | None:
    disposition = part.header("content-disposition")
    params: dict[str, str] = {}
    if disposition is not None:
        params = parse_param_header(disposition).params
    name = params.get("filename") or part.content_type.params.get("name")
    if not name:
        return None
    name = _UNSAFE_FILENAME.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None


def _is_attachment(part: Part) -> bool:
    """Body text is unnamed inline text/plain or text/html (any text type at the top level)."""
    disposition = part.header("content-disposition")
    if disposition is not None and disposition.strip().lower().startswith(b"attachment"):
        return True
    if part.content_type.value in {"text/plain", "text/html"} or (
        part.maintype == "text" and not part.path
    ):
        return _filename(part) is not None
    return part.maintype != "multipart"


def _decode_text_part(part: Part, out: _Collector) -> str:
    payload = decode_body(part)
    for warning in payload.warnings:
        out.warn(warning)
    charset = part.content_type.params.get("charset")
    if charset is None and part.content_type.value == "text/html":
        meta = _META_CHARSET.search(payload.data[:4096])
        if meta:
            charset = meta.group(1).decode("ascii")
    decoded = decode_text(payload.data, charset)
    for warning in decoded.warnings:
        out.warn(warning)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if part.content_type.params.get("format", "").lower() == "flowed":
        text = _unflow(text, delsp=part.content_type.params.get("delsp", "").lower() == "yes")
    return text


def _unflow(text: str, *, delsp: bool) -> str:
    lines: list[str] = []
    buffer = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
        else:
            lines.append(buffer + line)
            buffer = ""
    if buffer:
        lines.append(buffer)
    return "\n".join(lines)


def _add_attachment(part: Part, out: _Collector, *, in_forwarded: bool) -> None:
    name = _filename(part)
    ctype = part.content_type.value
    if name is None and ctype in {"message/rfc822", "message/global"} and part.children:
        inner_subject = decode_header(part.children[0].header("subject")).text
        name = f"{inner_subject or '転送メッセージ'}.eml"
    size = decoded_size(part)
    oversized = size > out.max_attachment_bytes
    corrupt = False
    label = name or ctype
    if oversized:
        out.warn(
            f"添付ファイル「{label}」が大きすぎます（{size} バイト、上限 {out.max_attachment_bytes}"
            " バイト）。原本に保存されています"
        )
    else:
        payload = decode_body(part)
        for warning in payload.warnings:
            out.warn(f"添付ファイル「{label}」: {warning}")
        if ctype in _TIFF_TYPES or (name or "").lower().endswith((".tif", ".tiff")):
            problem = tiff_problem(payload.data)
            if problem is not None:
                corrupt = True
                out.warn(f"添付ファイル「{label}」の TIFF 画像が壊れています（{problem}）")
    out.attachments.append(
        Attachment(
            filename=name,
            content_type=ctype,
            size=size,
            oversized=oversized,
            corrupt=corrupt,
            part=part.path or "1",
            in_forwarded=in_forwarded,
        )
    )


def _collect(part: Part, out: _Collector, *, in_forwarded: bool, in_report: bool = False) -> None:
    for defect in part.defects:
        out.warn(defect)
    ctype = part.content_type.value
    if ctype in {"message/rfc822", "message/global"}:
        _add_attachment(part, out, in_forwarded=in_forwarded)
        if part.children and not in_report and not in_forwarded:
            out.forwards.append(part.children[0])
        return
    if part.maintype == "multipart" and part.children:
        _collect_multipart(part, out, in_forwarded=in_forwarded)
        return
    if part.maintype == "multipart" or not _is_attachment(part):
        if ctype == "text/html":
            if not out.plain:
                out.used_html = True
            out.plain.append(html_to_text(_decode_text_part(part, out)))
        else:
            out.plain.append(_decode_text_part(part, out))
        return
    _add_attachment(part, out, in_forwarded=in_forwarded)


def _collect_multipart(part: Part, out: _Collector, *, in_forwarded: bool) -> None:
    subtype = part.content_type.value
    children = part.children
    if subtype == "multipart/alternative":
        chosen = _choose_alternative(children, out)
        _collect(chosen, out, in_forwarded=in_forwarded)
        return
    if subtype == "multipart/related":
        start = part.content_type.params.get("start")
        root = children[0]
        if start:
            for child in children:
                cid = child.header("content-id")
                if cid is not None and cid.decode("latin-1").strip() == start.strip():
                    root = child
        _collect(root, out, in_forwarded=in_forwarded)
        for child in children:
            if child is not root and _filename(child) is not None:
                _add_attachment(child, out, in_forwarded=in_forwarded)
        return
    in_report = subtype == "multipart/report"
    for child in children:
        _collect(child, out, in_forwarded=in_forwarded, in_report=in_report)


def _choose_alternative(children: list[Part], out: _Collector) -> Part:
    """Prefer a non-empty text/plain; else HTML; else the last (richest) alternative."""
    for child in children:
        if child.content_type.value == "text/plain" and not _is_attachment(child):
            probe = _Collector(out.max_attachment_bytes)
            if _decode_text_part(child, probe).strip():
                return child
    for child in children:
        if child.content_type.value == "text/html":
            return child
    for child in reversed(children):
        if child.maintype == "multipart":
            return child
    return children[-1]


def _iso_date(raw: bytes | None, warnings: list[str]) -> str | None:
    if raw is None:
        return None
    text = raw.decode("latin-1").strip()
    parsed = parsedate_tz(text)
    if parsed is None:
        warnings.append(f"日付「{text[:60]}」を解釈できません")
        return None
    year, month, day, hour, minute, second = parsed[:6]
    offset = parsed[9]
    try:
        naive = datetime(year, month, day, hour, minute, second)
        if _JST_NAMED.search(text) and not _NUMERIC_ZONE.search(text):
            zone = JST  # "JST" by name, which the stdlib does not know
        elif offset is None and "-0000" in text:
            zone = UTC  # RFC 5322: the time is UTC, the sender's zone is unknown
        elif offset is None:
            warnings.append("日付にタイムゾーンがないため日本時間とみなしました")
            zone = JST
        else:
            zone = timezone(timedelta(seconds=offset))
    except (ValueError, OverflowError):
        warnings.append(f"日付「{text[:60]}」が正しくありません")
        return None
    return naive.replace(tzinfo=zone).isoformat()


def _forward_text(inner: Part, max_attachment_bytes: int) -> tuple[Forwarded, str, _Collector]:
    senders, _ = parse_addresses(inner.header("from"))
    subject = decode_header(inner.header("subject")).text
    sender = ", ".join(a.display() for a in senders)
    collector = _Collector(max_attachment_bytes)
    _collect(inner, collector, in_forwarded=True)
    date = _iso_date(inner.header("date"), [])
    heading = ["---------- 転送されたメッセージ ----------"]
    heading += [f"差出人: {sender}", f"件名: {subject}"]
    if date:
        heading.append(f"日付: {date}")
    body = "\n\n".join(t.strip("\n") for t in collector.plain if t.strip())
    return Forwarded(subject=subject, sender=sender), "\n".join(heading) + "\n\n" + body, collector


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> ParsedMail:
    """Parse raw RFC 5322 bytes into a ParsedMail; only empty input raises MailUnparseable."""
    if not raw.strip():
        raise MailUnparseable(size=len(raw))
    root = parse_entity(raw)
    warnings: list[str] = []
    if not root.headers:
        warnings.append("ヘッダーがないため、全体を本文として扱いました")
    subject_text = decode_header(root.header("subject"))
    senders, from_warnings = parse_addresses(root.header("from"))
    recipients: list[Address] = []
    to_warnings: list[str] = []
    for value in root.all_headers("to"):
        found, found_warnings = parse_addresses(value)
        recipients.extend(found)
        to_warnings.extend(found_warnings)
    for warning in subject_text.warnings + from_warnings + to_warnings:
        if warning not in warnings:
            warnings.append(warning)
    date = _iso_date(root.header("date"), warnings)

    collector = _Collector(max_attachment_bytes)
    collector.warnings = warnings
    _collect(root, collector, in_forwarded=False)

    texts = [t.strip("\n") for t in collector.plain if t.strip()]
    forwarded: Forwarded | None = None
    if collector.forwards:
        forwarded, forward_text, inner = _forward_text(collector.forwards[0], max_attachment_bytes)
        texts.append(forward_text)
        for warning in inner.warnings:
            collector.warn(warning)
        collector.attachments.extend(inner.attachments)
    text = "\n\n".join(texts)
    if forwarded is None:
        inline = find_inline_forward(text)
        if inline is not None:
            forwarded = Forwarded(subject=inline.subject, sender=inline.sender)

    reasons = auto_reasons(root, sender=senders, subject=subject_text.text)
    message_ids = parse_msg_ids(root.header("message-id"))
    reply_ids = parse_msg_ids(root.header("in-reply-to"))
    return ParsedMail(
        subject=subject_text.text,
        sender=", ".join(a.display() for a in senders),
        sender_address=senders[0].address if senders else "",
        to=[a.display() for a in recipients],
        date=date,
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=reply_ids[0] if reply_ids else None,
        references=parse_msg_ids(root.header("references")),
        text=text,
        attachments=collector.attachments,
        is_auto=bool(reasons),
        auto_reasons=reasons,
        forwarded=forwarded,
        html_only=collector.used_html,
        warnings=collector.warnings,
        raw_size=len(raw),
    )


def received_at_utc(mail: ParsedMail) -> datetime | None:
    """The Date header as an aware UTC datetime, for sorting and due-time computation."""
    if mail.date is None:
        return None
    return datetime.fromisoformat(mail.date).astimezone(UTC)
