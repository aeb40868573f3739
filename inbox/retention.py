"""Mail and fax are kept no longer than needed (N-PRIV-3): erased a set time after closing.

A mail's or fax's personal data is its raw copy and attachments in the media store, the sealed
sender and parsed text, and the sealed replies sent. ``inbox_retention_days`` after its work
item was completed (or after it arrived, when it never became one: quarantined, a duplicate),
those are erased: media files crypto-erased (the wrapped key overwritten, then removed), sealed
columns emptied, replies deleted. The rows stay, without personal data, so the counts and the
24-hour clock of past months do not change, and a disposal record says what went when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from crm.workqueue.models import WorkItem
from inbox.fax.models import FaxDocument
from inbox.models import InboxMessage, InboxParsed
from inbox.reply.models import OutboxMail
from mediastore.retention.models import DisposalRecord
from mediastore.retention.service import crypto_erase
from mediastore.store.store import MediaStore
from realtime.audit import service as audit
from realtime.db import Database
from realtime.timeutil import utcnow

SYSTEM = "system"


@dataclass
class InboxErasure:
    """What one run erased."""

    mails: int = 0
    faxes: int = 0
    files: int = 0
    replies: int = 0


def _item_closings(session: Session) -> dict[str, datetime | None]:
    """Mail and fax work items: source_ref -> when completed (None while open)."""
    rows = session.exec(
        select(WorkItem.source_ref, WorkItem.completed_at).where(
            col(WorkItem.kind).in_(["email", "fax"])
        )
    ).all()
    return {ref: done for ref, done in rows if ref}


def _record(session: Session, *, subject: str, file_id: str, rule: str, clock: datetime) -> None:
    session.add(
        DisposalRecord(
            recording_id=subject,
            file_id=file_id,
            file_length=0,
            rule=rule,
            reason="",
            actor=SYSTEM,
            clock_started_at=clock,
            erased_at=utcnow(),
            file_present=bool(file_id),
        )
    )


def _erase_mails(
    session: Session,
    store: MediaStore,
    *,
    items: dict[str, datetime | None],
    cutoff: datetime,
    rule: str,
    done: InboxErasure,
) -> None:
    candidates = (
        select(InboxMessage)
        .where(col(InboxMessage.raw_file_id) != "")
        .where(col(InboxMessage.received_at) < cutoff)  # closed before it: received before it
    )
    for row in session.exec(candidates):
        ref = f"inbox:{row.id}"
        clock = items.get(ref, row.received_at)  # an open item: None
        if clock is None or clock >= cutoff:
            continue  # still open, or closed too recently
        shared = session.exec(
            select(InboxMessage.id)
            .where(col(InboxMessage.raw_file_id) == row.raw_file_id)
            .where(col(InboxMessage.id) != row.id)
        ).first()
        if shared is None and crypto_erase(store, row.raw_file_id):
            done.files += 1
        session.execute(delete(InboxParsed).where(col(InboxParsed.message_id) == row.id))
        replies = session.execute(
            delete(OutboxMail)
            .where(col(OutboxMail.inbox_message_id) == row.id)
            .where(col(OutboxMail.state) != "pending")
        )
        done.replies += int(replies.rowcount or 0)  # type: ignore[attr-defined]
        _record(session, subject=f"mail-{row.id}", file_id=row.raw_file_id, rule=rule, clock=clock)
        row.raw_file_id = ""
        row.sender_sealed = ""
        session.add(row)
        done.mails += 1


def _erase_faxes(
    session: Session,
    store: MediaStore,
    *,
    items: dict[str, datetime | None],
    cutoff: datetime,
    rule: str,
    done: InboxErasure,
) -> None:
    candidates = (
        select(FaxDocument)
        .where(col(FaxDocument.original_file_id) != "")
        .where(col(FaxDocument.received_at) < cutoff)
    )
    for row in session.exec(candidates):
        clock = items.get(f"fax:{row.id}") if row.work_item_id else row.received_at
        if clock is None or clock >= cutoff:
            continue
        files = [row.original_file_id, row.pdf_file_id, *json.loads(row.page_file_ids or "[]")]
        done.files += sum(1 for f in files if f and crypto_erase(store, f))
        _record(
            session, subject=f"fax-{row.id}", file_id=row.original_file_id, rule=rule, clock=clock
        )
        row.original_file_id = ""
        row.pdf_file_id = ""
        row.page_file_ids = "[]"
        row.remote_sealed = ""
        session.add(row)
        done.faxes += 1


def run_inbox_retention(
    *, database: Database, store: MediaStore, days: int, now: datetime | None = None
) -> InboxErasure:
    """Erase the personal data of mail and fax closed more than ``days`` ago; audited."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    rule = f"inbox:{days}d"
    done = InboxErasure()
    with database.session() as session:
        items = _item_closings(session)
        _erase_mails(session, store, items=items, cutoff=cutoff, rule=rule, done=done)
        _erase_faxes(session, store, items=items, cutoff=cutoff, rule=rule, done=done)
        if done.mails or done.faxes:
            audit.record(
                session,
                actor=SYSTEM,
                action="inbox.erase",
                detail={"mails": done.mails, "faxes": done.faxes, "rule": rule},
            )
    return done
