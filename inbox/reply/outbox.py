"""The outbox: every mail the center sends is stored (sealed) first, then delivered to the relay
with aiosmtplib (STARTTLS or implicit TLS as configured). A temporary failure (4xx, a dropped
connection, a timeout) is retried after the next delay of ``inbox_retry_delays``; a permanent
one (5xx) or the last retry failing leaves the mail ``failed`` with its error, visible at the
desk and to administrators. Nothing is lost: the sealed mail stays in the table.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP as SMTP_POLICY
from typing import Any

import aiosmtplib
from sqlmodel import Session, col, select

from inbox.config import InboxSettings
from inbox.reply.models import OutboxMail
from inbox.reply.tls import describe_send_error, smtp_tls_context
from realtime.auth.secretbox import SecretBox
from realtime.db import Database
from realtime.errors import MadoguchiError
from realtime.timeutil import utcnow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

Sender = Callable[..., Awaitable[Any]]


class ReplyNotConfigured(MadoguchiError):
    error_id = "reply-not-configured"
    status_code = 503
    message_ja = "返信メールの送信設定（送信サーバー・差出人）がありません。"

    def __init__(self, *, missing: list[str]) -> None:
        super().__init__(missing=missing)
        self.missing = missing


def check_config(config: InboxSettings) -> None:
    """Raise ReplyNotConfigured when the relay or From is missing."""
    missing = [
        name
        for name, ok in (
            ("MADOGUCHI_SMTP_HOST", bool(config.smtp_host)),
            ("MADOGUCHI_INBOX_REPLY_FROM", bool(config.inbox_reply_from)),
        )
        if not ok
    ]
    if missing:
        raise ReplyNotConfigured(missing=missing)


@dataclass(frozen=True)
class OutboxView:
    """An outbox row as the desk shows it (never the text)."""

    id: int
    kind: str
    inbox_message_id: int | None
    work_item_id: str | None
    message_id: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    destination: str
    created_by: str
    created_at: datetime
    sent_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items()}


def view(row: OutboxMail) -> OutboxView:
    """The public view of a row."""
    assert row.id is not None
    return OutboxView(
        row.id,
        row.kind,
        row.inbox_message_id,
        row.work_item_id,
        row.message_id,
        row.state,
        row.attempts,
        row.next_attempt_at,
        row.last_error,
        row.destination,
        row.created_by,
        row.created_at,
        row.sent_at,
    )


def enqueue_mail(
    session: Session,
    *,
    message: EmailMessage,
    recipients: list[str],
    kind: str,
    box: SecretBox,
    actor: str,
    inbox_message_id: int | None = None,
    work_item_id: str | None = None,
    destination: str = "",
    at: datetime | None = None,
) -> OutboxMail:
    """Store a mail to send (sealed), due now; flushes (the caller commits)."""
    now = at or utcnow()
    row = OutboxMail(
        kind=kind,
        inbox_message_id=inbox_message_id,
        work_item_id=work_item_id,
        message_id=str(message["Message-ID"]),
        mail_sealed=box.seal(
            message.as_bytes(policy=SMTP_POLICY).decode("utf-8", "surrogateescape")
        ),
        recipients_sealed=box.seal(json.dumps(recipients)),
        state=PENDING,
        next_attempt_at=now,
        destination=destination,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def list_outbox(
    session: Session, *, state: str | None = None, limit: int = 100
) -> list[OutboxView]:
    """Newest first, optionally one state (``failed`` for what needs attention)."""
    stmt = select(OutboxMail)
    if state:
        stmt = stmt.where(col(OutboxMail.state) == state)
    stmt = stmt.order_by(col(OutboxMail.id).desc()).limit(limit)
    return [view(r) for r in session.exec(stmt)]


def _temporary(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(400 <= r.code < 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    return True  # connection refused or dropped, timeout, TLS: try again later


def _due_ids(db: Database, now: datetime, limit: int) -> list[int]:
    with db.session() as session:
        stmt = (
            select(OutboxMail.id)
            .where(col(OutboxMail.state) == PENDING, col(OutboxMail.next_attempt_at) <= now)
            .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id))
            .limit(limit)
        )
        return [i for i in session.exec(stmt) if i is not None]


async def deliver_one(
    db: Database,
    *,
    outbox_id: int,
    box: SecretBox,
    config: InboxSettings,
    send: Sender = aiosmtplib.send,
    now: datetime | None = None,
) -> OutboxView:
    """One delivery attempt of one pending mail; records the result and the next attempt."""

    def load() -> tuple[OutboxMail, bytes, list[str]]:
        with db.session() as session:
            row = session.get(OutboxMail, outbox_id)
            if row is None:
                raise KeyError(outbox_id)
            raw = box.open(row.mail_sealed).encode("utf-8", "surrogateescape")
            return row, raw, list(json.loads(box.open(row.recipients_sealed)))

    row, raw, recipients = await db.run(load)
    if row.state != PENDING:
        return view(row)
    check_config(config)
    message = BytesParser(policy=SMTP_POLICY).parsebytes(raw)
    password = config.smtp_password.get_secret_value() if config.smtp_password else None
    error = ""
    temporary = False
    try:
        refused, _reply = await send(
            message,
            recipients=recipients,
            hostname=config.smtp_host,
            port=config.smtp_port,
            start_tls=config.smtp_starttls,
            use_tls=config.smtp_tls,
            tls_context=smtp_tls_context(ca_file=config.smtp_ca_file),
            username=config.smtp_user,
            password=password,
            timeout=config.smtp_timeout,
        )
        if refused:
            error = "; ".join(f"{code} {text}" for code, text in refused.values())
            temporary = all(400 <= code < 500 for code, _ in refused.values())
    except (aiosmtplib.SMTPException, OSError) as exc:
        error = describe_send_error(exc)[:1000]
        temporary = _temporary(exc)
    at = now or utcnow()

    def record() -> OutboxView:
        with db.session() as session:
            current = session.get(OutboxMail, outbox_id)
            assert current is not None
            current.attempts += 1
            if not error:
                current.state, current.sent_at = SENT, at
                current.next_attempt_at, current.last_error = None, ""
            else:
                current.last_error = error
                delays = config.inbox_retry_delays
                if temporary and current.attempts <= len(delays):
                    current.next_attempt_at = at + timedelta(seconds=delays[current.attempts - 1])
                else:
                    current.state, current.next_attempt_at = FAILED, None
            session.add(current)
            session.commit()
            return view(current)

    result: OutboxView = await db.run(record)
    return result


async def deliver_due(
    db: Database,
    *,
    box: SecretBox,
    config: InboxSettings,
    send: Sender = aiosmtplib.send,
    now: datetime | None = None,
    limit: int = 50,
) -> list[OutboxView]:
    """Attempt every pending mail whose time has come (oldest first)."""
    at = now or utcnow()
    results = []
    for outbox_id in await db.run(_due_ids, db, at, limit):
        results.append(
            await deliver_one(db, outbox_id=outbox_id, box=box, config=config, send=send, now=at)
        )
    return results


def retry_now(session: Session, *, outbox_id: int, actor: str) -> OutboxView:
    """Put a failed mail back to pending, due now (the desk's 再送 button)."""
    row = session.get(OutboxMail, outbox_id)
    if row is None or row.state == SENT:
        raise OutboxNotRetryable(outbox_id=outbox_id)
    row.state, row.next_attempt_at = PENDING, utcnow()
    session.add(row)
    session.commit()
    return view(row)


class OutboxNotRetryable(MadoguchiError):
    error_id = "outbox-not-retryable"
    status_code = 409
    message_ja = "この送信メールは再送できません（送信済みか、見つかりません）。"

    def __init__(self, *, outbox_id: int) -> None:
        super().__init__(outbox_id=outbox_id)
        self.outbox_id = outbox_id
