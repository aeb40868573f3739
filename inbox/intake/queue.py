"""What the shared work queue calls: list received mail due for an answer, take an item, release a
quarantined message. Sealed fields are opened here, for callers allowed to see them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from cms.service import append_many
from inbox.intake.record import MessageState, contact_id_for, event_id_for, received_event
from inbox.models import InboxMessage, InboxParsed
from realtime.audit import service as audit
from realtime.auth.secretbox import SecretBox
from realtime.errors import MadoguchiError
from realtime.timeutil import utcnow


class InboxItemNotFound(MadoguchiError):
    error_id = "inbox-item-not-found"
    status_code = 404
    message_ja = "受信メールが見つかりません。"

    def __init__(self, *, message_id: int) -> None:
        super().__init__(message_id=message_id)
        self.message_id = message_id


class InboxItemNotQuarantined(MadoguchiError):
    error_id = "inbox-item-not-quarantined"
    status_code = 409
    message_ja = "この受信メールは隔離されていません。"

    def __init__(self, *, message_id: int, state: str) -> None:
        super().__init__(message_id=message_id, state=state)
        self.message_id = message_id
        self.state = state


@dataclass(frozen=True)
class InboxItem:
    """One received message as the work queue shows it (personal data opened)."""

    id: int
    mailbox: str
    state: str
    reasons: list[str]
    received_at: datetime
    due_at: datetime
    subject: str
    sender: str
    sender_address: str
    answerable: bool
    is_auto: bool
    raw_file_id: str
    parsed: dict[str, Any]


def _open(row: InboxMessage, parsed: InboxParsed | None, box: SecretBox) -> InboxItem:
    data: dict[str, Any] = json.loads(box.open(parsed.parsed_sealed)) if parsed else {}
    assert row.id is not None
    return InboxItem(
        id=row.id,
        mailbox=row.mailbox,
        state=row.state,
        reasons=list(json.loads(row.reasons)),
        received_at=row.received_at,
        due_at=row.due_at,
        subject=str(data.get("subject", "")),
        sender=str(data.get("from", "")),
        sender_address=box.open(row.sender_sealed) if row.sender_sealed else "",
        answerable=row.answerable,
        is_auto=row.is_auto,
        raw_file_id=row.raw_file_id,
        parsed=data,
    )


def list_items(
    session: Session,
    *,
    box: SecretBox,
    state: str = MessageState.QUEUED,
    mailbox: str | None = None,
    include_taken: bool = False,
    limit: int = 100,
) -> list[InboxItem]:
    """Messages in ``state``, oldest due first (the order the 24-hour target needs)."""
    stmt = select(InboxMessage, InboxParsed).join(
        InboxParsed, col(InboxParsed.message_id) == col(InboxMessage.id), isouter=True
    )
    stmt = stmt.where(col(InboxMessage.state) == state)
    if mailbox is not None:
        stmt = stmt.where(col(InboxMessage.mailbox) == mailbox)
    if not include_taken:
        stmt = stmt.where(col(InboxMessage.taken_at).is_(None))
    stmt = stmt.order_by(col(InboxMessage.due_at), col(InboxMessage.id)).limit(limit)
    return [_open(row, parsed, box) for row, parsed in session.exec(stmt)]


def mark_taken(session: Session, *, message_id: int, at: datetime | None = None) -> bool:
    """Record that the work queue has taken the item; False if it was taken before."""
    row = session.get(InboxMessage, message_id)
    if row is None:
        raise InboxItemNotFound(message_id=message_id)
    if row.taken_at is not None:
        return False
    row.taken_at = at or utcnow()
    session.add(row)
    session.commit()
    return True


def release_quarantined(session: Session, *, message_id: int, actor: str) -> InboxMessage:
    """Move a quarantined message into the queue (audited; emits its contact.received)."""
    row = session.get(InboxMessage, message_id)
    if row is None:
        raise InboxItemNotFound(message_id=message_id)
    if row.state != MessageState.QUARANTINED:
        raise InboxItemNotQuarantined(message_id=message_id, state=row.state)
    key = f"imap:{row.mailbox}:{row.uidvalidity}:{row.uid}"
    row.state = MessageState.QUEUED
    row.contact_id = contact_id_for(key)
    row.event_id = event_id_for(key)
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="inbox-quarantine-released",
        target=str(message_id),
        detail={"mailbox": row.mailbox},
    )
    append_many(session, events=[received_event(row, key)])
    return row
