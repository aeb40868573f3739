"""Recording one taken message: row, parsed record, contact event and cursor in ONE transaction.

The unique key (mailbox, UIDVALIDITY, UID) and the deterministic event id make a repeat (after a
crash between fetch and commit) a no-op; the cursor only moves in the same commit.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cms.events import Channel, EventType
from cms.service import NewEvent, append_many
from inbox.intake.privacy import message_id_hash, sender_domain
from inbox.models import InboxMessage, InboxParsed, MailboxCursor
from inbox.parse.triage import Action, Triage
from realtime.audit import service as audit
from realtime.auth.secretbox import SecretBox
from realtime.timeutil import utcnow

NAMESPACE = uuid.UUID("6d1f3c2e-4b8a-5e7f-9a0b-1c2d3e4f5a6b")


class MessageState:
    """Values of ``InboxMessage.state``."""

    QUEUED = "queued"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class CursorState:
    """The stored cursor of a mailbox after checking the server's UIDVALIDITY."""

    mailbox: str
    uidvalidity: int
    last_uid: int
    uidvalidity_changed: bool
    previous_uidvalidity: int | None


@dataclass(frozen=True)
class TakenMessage:
    """One message as fetched, with the id its raw copy is stored under."""

    mailbox: str
    uidvalidity: int
    uid: int
    received_at: datetime
    raw_file_id: str
    raw_sha256: str
    raw_size: int


@dataclass(frozen=True)
class RecordOutcome:
    """What recording did: ``already`` when an earlier run had stored this UID."""

    message_id: int
    state: str
    already: bool


def message_key(*, mailbox: str, uidvalidity: int, uid: int) -> str:
    """The idempotency key of one IMAP message."""
    return f"imap:{mailbox}:{uidvalidity}:{uid}"


def event_id_for(key: str) -> str:
    """The contact event id of a message (the same on every retry)."""
    return str(uuid.uuid5(NAMESPACE, "event:" + key))


def contact_id_for(key: str) -> str:
    """The contact id of a message."""
    return str(uuid.uuid5(NAMESPACE, "contact:" + key))


def check_cursor(session: Session, *, mailbox: str, uidvalidity: int) -> CursorState:
    """Load (or create) the cursor; a new UIDVALIDITY restarts it at UID 0 and is audited."""
    cursor = session.get(MailboxCursor, mailbox)
    if cursor is None:
        cursor = MailboxCursor(mailbox=mailbox, uidvalidity=uidvalidity, updated_at=utcnow())
        session.add(cursor)
        session.commit()
        return CursorState(mailbox, uidvalidity, 0, False, None)
    if cursor.uidvalidity == uidvalidity:
        return CursorState(mailbox, uidvalidity, cursor.last_uid, False, None)
    previous = cursor.uidvalidity
    audit.record(
        session,
        actor="system:imap",
        action="imap-uidvalidity-changed",
        outcome="warning",
        target=mailbox,
        detail={"previous": previous, "current": uidvalidity, "last_uid": cursor.last_uid},
    )
    cursor.uidvalidity = uidvalidity
    cursor.last_uid = 0
    cursor.uidvalidity_changes += 1
    cursor.updated_at = utcnow()
    session.add(cursor)
    session.commit()
    return CursorState(mailbox, uidvalidity, 0, True, previous)


def _existing(session: Session, taken: TakenMessage) -> InboxMessage | None:
    return session.exec(
        select(InboxMessage).where(
            col(InboxMessage.mailbox) == taken.mailbox,
            col(InboxMessage.uidvalidity) == taken.uidvalidity,
            col(InboxMessage.uid) == taken.uid,
        )
    ).one_or_none()


def _earlier_copy(
    session: Session, taken: TakenMessage, mid_hash: str | None
) -> InboxMessage | None:
    """The same message taken under an earlier UIDVALIDITY of this mailbox (same bytes, or the
    same Message-ID), if any."""
    same = [col(InboxMessage.raw_sha256) == taken.raw_sha256]
    if mid_hash:
        same.append(col(InboxMessage.message_id_hash) == mid_hash)
    return session.exec(
        select(InboxMessage)
        .where(
            col(InboxMessage.mailbox) == taken.mailbox,
            col(InboxMessage.uidvalidity) != taken.uidvalidity,
            col(InboxMessage.state) != MessageState.DUPLICATE,
            or_(*same),
        )
        .order_by(col(InboxMessage.id))
        .limit(1)
    ).first()


def _advance(session: Session, taken: TakenMessage) -> None:
    cursor = session.get(MailboxCursor, taken.mailbox)
    if cursor is None:
        cursor = MailboxCursor(
            mailbox=taken.mailbox, uidvalidity=taken.uidvalidity, updated_at=utcnow()
        )
    if cursor.uidvalidity == taken.uidvalidity and taken.uid > cursor.last_uid:
        cursor.last_uid = taken.uid
        cursor.updated_at = utcnow()
        session.add(cursor)


def _parsed_json(result: Triage) -> str:
    mail = result.mail
    if mail is None:
        return json.dumps({"parse_ok": False}, ensure_ascii=False)
    data = mail.public()
    data["sender_address"] = mail.sender_address
    return json.dumps(data, ensure_ascii=False)


def record_message(
    session: Session,
    *,
    taken: TakenMessage,
    result: Triage,
    box: SecretBox,
    reply_within: timedelta = timedelta(hours=24),
) -> RecordOutcome:
    """Store one message with its parsed record, event and cursor move, in one commit."""
    existing = _existing(session, taken)
    if existing is not None and existing.id is not None:
        _advance(session, taken)
        session.commit()
        return RecordOutcome(existing.id, existing.state, already=True)
    mail = result.mail
    mid_hash = message_id_hash(mail.message_id if mail else None)
    earlier = _earlier_copy(session, taken, mid_hash)
    key = message_key(mailbox=taken.mailbox, uidvalidity=taken.uidvalidity, uid=taken.uid)
    reasons = list(result.reasons)
    if earlier is not None:
        state = MessageState.DUPLICATE
        reasons.insert(
            0,
            "UIDVALIDITY 変更後の再取得: 同じメール（同一内容または同じ Message-ID）を"
            f"受信済みです（受信番号 {earlier.id}）",
        )
    elif result.action is Action.QUEUE:
        state = MessageState.QUEUED
    else:
        state = MessageState.QUARANTINED
    address = mail.sender_address if mail else ""
    queued = state == MessageState.QUEUED
    row = InboxMessage(
        mailbox=taken.mailbox,
        uidvalidity=taken.uidvalidity,
        uid=taken.uid,
        state=state,
        reasons=json.dumps(reasons, ensure_ascii=False),
        received_at=taken.received_at,
        due_at=taken.received_at + reply_within,
        raw_file_id=taken.raw_file_id,
        raw_sha256=taken.raw_sha256,
        raw_size=taken.raw_size,
        message_id_hash=mid_hash,
        sender_domain=sender_domain(address),
        sender_sealed=box.seal(address) if address else "",
        answerable=result.answerable and state != MessageState.DUPLICATE,
        is_auto=bool(mail and mail.is_auto),
        duplicate_of=earlier.id if earlier is not None else None,
        contact_id=contact_id_for(key) if queued else None,
        event_id=event_id_for(key) if queued else None,
    )
    session.add(row)
    try:
        session.flush()
        assert row.id is not None
        session.add(
            InboxParsed(
                message_id=row.id, parsed_sealed=box.seal(_parsed_json(result)), parse_ok=bool(mail)
            )
        )
        _advance(session, taken)
        if queued:
            append_many(session, events=[received_event(row, key)])
        else:
            session.commit()
    except IntegrityError:
        # another intake process committed the same UID first: theirs stands
        session.rollback()
        again = _existing(session, taken)
        if again is None or again.id is None:
            raise
        return RecordOutcome(again.id, again.state, already=True)
    return RecordOutcome(row.id, state, already=False)


def received_event(row: InboxMessage, key: str) -> NewEvent:
    """The contact.received event of a queued message (no personal data: mailbox name only)."""
    return NewEvent(
        type=EventType.CONTACT_RECEIVED,
        occurred_at=row.received_at,
        contact_id=row.contact_id or contact_id_for(key),
        channel=Channel.EMAIL,
        line=row.mailbox,
        source="inbox",
        payload={"direction": "inbound", "trunk": row.mailbox},
        event_id=row.event_id or event_id_for(key),
    )
