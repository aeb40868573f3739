"""From the inbox tables into the shared work queue (F-2.1.5): after a received message is
committed, it is scanned, sorted and queued as a work item (kind ``email``, due 24 hours after
receipt), or — from a fax-to-mail service — taken in as a fax (kind ``fax``).

Called by the intake right after its commit (``MailboxIntake.after_record``) and, to catch up
after a crash or a released quarantine, by :func:`connect_pending` periodically. A message is
connected once: ``inbox_message.taken_at`` is set in the same commit as the work item.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from crm.workqueue import service as workqueue
from crm.workqueue.models import ItemKind
from inbox.config import InboxSettings
from inbox.fax.service import FaxOutcome, IncomingFax, OcrHook, fax_type, receive_fax
from inbox.intake.record import MessageState, RecordOutcome
from inbox.models import InboxMessage, InboxParsed
from inbox.parse.headers import decode_header
from inbox.parse.message import Attachment, parse_message
from inbox.parse.mime import Part, decode_body, parse_entity
from inbox.reply.models import OutboxMail
from inbox.reply.service import acknowledge
from inbox.reply.threading import MAX_REFERENCES, bracketed
from inbox.scan.scanner import Scanner
from inbox.scan.service import HELD, scan_and_record
from inbox.sorting.rules import SortSubject, normalise_did
from inbox.sorting.service import sort_item
from mediastore.store.store import MediaStore
from realtime.audit import service as audit
from realtime.auth.secretbox import SecretBox
from realtime.timeutil import utcnow

log = logging.getLogger("inbox.sorting")

_DID_HEADERS = ("x-fax-did", "x-fax-to", "x-called-number", "x-did", "x-fax-number")
_NUMBER = r"[0-9０-９][0-9０-９\-‐ー()（） ]{4,18}[0-9０-９]"
_LABELLED = re.compile(
    rf"(?:DID|to|宛先|着信番号|受信番号|着信|受信FAX番号)\s*[:：#]?\s*(\+?{_NUMBER})", re.IGNORECASE
)
_ANY_NUMBER = re.compile(rf"\+?{_NUMBER}")


@dataclass(frozen=True)
class ConnectOutcome:
    """What connecting one message did."""

    message_id: int
    kind: str  # "email", "fax", "held" (an attachment could not be scanned yet) or "skipped"
    work_item_ids: list[str] = field(default_factory=list)
    skill: str | None = None
    faxes: list[FaxOutcome] = field(default_factory=list)
    quarantined_attachments: list[str] = field(default_factory=list)


def attachment_key(raw_file_id: str, part: str) -> str:
    """The scan-verdict key of one attachment of a stored message."""
    return f"{raw_file_id}#{part}"[:160]


def iter_attachment_bytes(
    raw: bytes, attachments: list[Attachment]
) -> Iterator[tuple[Attachment, bytes]]:
    """Each attachment with its decoded bytes (found by MIME part path)."""
    parts: dict[str, Part] = {p.path: p for p in parse_entity(raw).iter_parts()}
    for attachment in attachments:
        part = parts.get(attachment.part)
        if part is not None:
            yield attachment, decode_body(part).data


def did_from(raw: bytes, subject: str, recipients: list[str]) -> str:
    """The fax number dialled, from fax-to-mail headers, the subject or the recipient."""
    root = parse_entity(raw)
    for name in _DID_HEADERS:
        value = root.header(name)
        if value:
            found = _ANY_NUMBER.search(decode_header(value).text)
            if found:
                return normalise_did(found.group(0))
    text = unicodedata.normalize("NFKC", subject)
    labelled = _LABELLED.search(text)
    if labelled:
        return normalise_did(labelled.group(1))
    for address in recipients:
        local = address.split("@", 1)[0]
        digits = normalise_did(local)
        if digits.isdigit() and 6 <= len(digits) <= 15:
            return digits
    numbers = _ANY_NUMBER.findall(text)
    return normalise_did(numbers[-1]) if numbers else ""


def thread_contact(session: Session, parsed: dict[str, Any]) -> str | None:
    """The contact id of the conversation a follow-up answers: the received message our sent
    mail (named in In-Reply-To or References) replied to."""
    ids = [str(parsed.get("in_reply_to") or ""), *[str(r) for r in parsed.get("references") or []]]
    wanted = [bracketed(i) for i in ids if bracketed(i)]
    if not wanted:
        return None
    sent = session.exec(
        select(OutboxMail)
        .where(col(OutboxMail.message_id).in_(wanted[-MAX_REFERENCES:]))
        .order_by(col(OutboxMail.id).desc())
    ).first()
    if sent is None or sent.inbox_message_id is None:
        return None
    earlier = session.get(InboxMessage, sent.inbox_message_id)
    return earlier.contact_id if earlier is not None else None


@dataclass
class MailConnector:
    """Connects committed inbox messages to the work queue."""

    media: MediaStore
    box: SecretBox
    config: InboxSettings
    scanner: Scanner
    ocr: OcrHook | None = None

    def after_record(self, session: Session, outcome: RecordOutcome) -> None:
        """The intake's hook: connect a newly queued message."""
        if outcome.state == MessageState.QUEUED:
            self.connect(session, message_id=outcome.message_id)

    def _is_fax_mail(self, row: InboxMessage, sender: str) -> bool:
        if row.mailbox in self.config.inbox_fax_mailboxes:
            return True
        sender = sender.lower()
        for entry in self.config.inbox_fax_mail_senders:
            value = entry.strip().lower()
            if value and (sender == value or sender.endswith("@" + value.lstrip("@"))):
                return True
        return False

    def _raw(self, row: InboxMessage) -> bytes:
        out = bytearray()
        with self.media.read_all(file_id=row.raw_file_id) as stream:
            for block in stream:
                out += block
        return bytes(out)

    def connect(self, session: Session, *, message_id: int) -> ConnectOutcome:
        """Scan, sort and queue one queued message not yet connected; commits."""
        row = session.get(InboxMessage, message_id, populate_existing=True)
        if row is None or row.state != MessageState.QUEUED or row.taken_at is not None:
            return ConnectOutcome(message_id, "skipped")
        parsed_row = session.get(InboxParsed, message_id)
        data: dict[str, Any] = (
            json.loads(self.box.open(parsed_row.parsed_sealed)) if parsed_row else {}
        )
        sender = self.box.open(row.sender_sealed) if row.sender_sealed else ""
        subject = str(data.get("subject", ""))
        recipients = [str(r) for r in data.get("to") or []]
        raw = self._raw(row)
        try:
            mail = parse_message(raw, max_attachment_bytes=self.config.inbox_scan_max_bytes)
            attachments = list(mail.attachments)
        except Exception:  # unparseable mail is still queued; it has no attachments to open
            attachments = []
        if self._is_fax_mail(row, sender):
            faxes = self._faxes(session, row, raw, attachments, subject, recipients, sender)
            if faxes:
                row.taken_at = utcnow()
                session.add(row)
                session.commit()
                ids = [f.work_item_id for f in faxes if f.work_item_id]
                return ConnectOutcome(message_id, "fax", ids, faxes=faxes)
        quarantined, held = self._scan_attachments(session, row, raw, attachments)
        if held:
            self._hold(session, row, held)
            return ConnectOutcome(message_id, "held", quarantined_attachments=quarantined)
        decision = sort_item(
            session,
            subject=SortSubject(recipients=recipients, sender=sender, subject=subject),
            default_skill=self.config.inbox_default_skill,
        )
        item = workqueue.enqueue(
            session,
            kind=ItemKind.EMAIL,
            contact_id=thread_contact(session, data) or row.contact_id,
            skill=decision.skill,
            line=row.mailbox,
            source_ref=f"inbox:{message_id}",
            received_at=row.received_at,
        )
        row.taken_at = utcnow()
        session.add(row)
        acknowledge(session, message=row, box=self.box, config=self.config)
        session.commit()
        return ConnectOutcome(
            message_id, "email", [item.id], decision.skill, quarantined_attachments=quarantined
        )

    def _hold(self, session: Session, row: InboxMessage, held: list[str]) -> None:
        """Keep a message out of the work queue until every attachment could be scanned; the
        first hold is logged and audited, ``connect_pending`` tries again each round."""
        reason = f"ウイルス検査ができないため保留中です（検査でき次第、受付に回します）: {held[0]}"
        reasons = list(json.loads(row.reasons))
        if not any(str(r).startswith("ウイルス検査ができないため保留中") for r in reasons):
            reasons.append(reason)
            row.reasons = json.dumps(reasons, ensure_ascii=False)
            session.add(row)
            audit.record(
                session,
                actor="system:scan",
                action="inbox-scan-held",
                outcome="failure",
                target=f"inbox:{row.id}",
                detail={"mailbox": row.mailbox, "reason": held[0]},
            )
            log.warning(
                json.dumps(
                    {"message": row.id, "mailbox": row.mailbox, "alert": "scan-held"},
                    ensure_ascii=False,
                )
            )
        session.commit()

    def _scan_attachments(
        self, session: Session, row: InboxMessage, raw: bytes, attachments: list[Attachment]
    ) -> tuple[list[str], list[str]]:
        quarantined: list[str] = []
        held: list[str] = []
        for attachment, data in iter_attachment_bytes(raw, attachments):
            verdict = scan_and_record(
                session,
                scanner=self.scanner,
                file_key=attachment_key(row.raw_file_id, attachment.part),
                data=data,
                filename=attachment.filename or "",
                content_type=attachment.content_type,
            )
            if verdict.verdict == HELD:
                held.append(verdict.reason)
            elif verdict.verdict != "clean":
                quarantined.append(verdict.reason)
        if held:
            return quarantined, held
        if quarantined:
            reasons = list(json.loads(row.reasons))
            reasons.extend(f"添付ファイルを隔離しました: {r}" for r in quarantined)
            row.reasons = json.dumps(reasons, ensure_ascii=False)
        return quarantined, held

    def _faxes(
        self,
        session: Session,
        row: InboxMessage,
        raw: bytes,
        attachments: list[Attachment],
        subject: str,
        recipients: list[str],
        sender: str,
    ) -> list[FaxOutcome]:
        did = did_from(raw, subject, recipients)
        outcomes = []
        for attachment, data in iter_attachment_bytes(raw, attachments):
            kind = fax_type(
                content_type=attachment.content_type,
                filename=attachment.filename or "",
                data=data,
            )
            if kind is None:
                continue
            incoming = IncomingFax(
                source="mail",
                source_ref=f"mail:{row.id}:{attachment.part}",
                did=did,
                remote="",
                received_at=row.received_at,
                data=data,
                content_type=kind,
                filename=attachment.filename or "",
                reasons=() if did else ("FAX 番号（DID）がメールから読み取れませんでした",),
            )
            outcomes.append(
                receive_fax(
                    session,
                    fax=incoming,
                    media=self.media,
                    box=self.box,
                    scanner=self.scanner,
                    default_skill=self.config.inbox_default_skill,
                    ocr=self.ocr,
                )
            )
        return outcomes


def connect_pending(session: Session, connector: MailConnector, *, limit: int = 100) -> int:
    """Connect queued messages the hook missed (a crash, a released quarantine); how many."""
    stmt = (
        select(InboxMessage.id)
        .where(
            col(InboxMessage.state) == MessageState.QUEUED,
            col(InboxMessage.taken_at).is_(None),
        )
        .order_by(col(InboxMessage.id))
        .limit(limit)
    )
    done = 0
    for message_id in list(session.exec(stmt)):
        if message_id is None:
            continue
        try:
            if connector.connect(session, message_id=message_id).kind in ("email", "fax"):
                done += 1
        except Exception:
            session.rollback()
            log.exception("inbox message %s: connecting to the work queue failed", message_id)
    return done
