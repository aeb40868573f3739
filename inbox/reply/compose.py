"""Building the mails the center sends: replies, acknowledgements (RFC 3834) and forwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from inbox.reply.threading import make_message_id, reply_subject, thread_headers


def _from_parts(sender: str) -> tuple[str, str]:
    pairs = getaddresses([sender])
    if not pairs or "@" not in pairs[0][1]:
        raise ValueError("MADOGUCHI_INBOX_REPLY_FROM is not a mail address")
    return pairs[0]


def _base(
    *, sender: str, to: Sequence[str], subject: str, domain: str, at: datetime
) -> EmailMessage:
    name, address = _from_parts(sender)
    message = EmailMessage()
    message["From"] = Address(display_name=name, addr_spec=address) if name else address
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_message_id(domain=domain)
    return message


def compose_reply(
    *,
    sender: str,
    to: str,
    original_subject: str,
    original_id: str | None,
    original_references: Sequence[str],
    body: str,
    domain: str,
    at: datetime,
    subject: str = "",
) -> EmailMessage:
    """An answer in the original's thread (In-Reply-To, References, Re: subject)."""
    message = _base(
        sender=sender,
        to=[to],
        subject=subject or reply_subject(original_subject),
        domain=domain,
        at=at,
    )
    for key, value in thread_headers(
        original_id=original_id, original_references=original_references
    ).items():
        message[key] = value
    message.set_content(body, charset="utf-8")
    return message


def compose_ack(
    *,
    sender: str,
    to: str,
    original_subject: str,
    original_id: str | None,
    original_references: Sequence[str],
    body: str,
    domain: str,
    at: datetime,
    subject: str = "",
) -> EmailMessage:
    """An acknowledgement: a reply marked ``Auto-Submitted: auto-replied`` (RFC 3834)."""
    message = compose_reply(
        sender=sender,
        to=to,
        original_subject=original_subject,
        original_id=original_id,
        original_references=original_references,
        body=body,
        domain=domain,
        at=at,
        subject=subject,
    )
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    return message


def compose_forward(
    *,
    sender: str,
    to: str,
    original_subject: str,
    note: str,
    raw: bytes,
    domain: str,
    at: datetime,
) -> EmailMessage:
    """A forward to a department: a note, with the received message attached unchanged."""
    subject = " ".join(original_subject.split())
    message = _base(
        sender=sender,
        to=[to],
        subject=f"転送: {subject}" if subject else "転送",
        domain=domain,
        at=at,
    )
    message.set_content(note or "総合窓口に届いたメールを転送します。", charset="utf-8")
    message.add_attachment(raw, maintype="message", subtype="rfc822", filename="original.eml")
    return message
