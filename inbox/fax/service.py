"""Taking one received fax into the center: keep the original encrypted, scan it, convert it,
sort it by its DID and put it in the shared work queue as kind ``fax`` (F-1.5.1, F-1.5.2).

Whatever the input, the original is stored first; a file the scanner objects to is quarantined
with its reason (no work item until released); an unreadable image is queued with the reason so
an agent can ask the sender to send again. Each fax is taken once per ``source_ref``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from cms.events import Channel, EventType
from cms.service import NewEvent, append_many
from crm.workqueue import service as workqueue
from crm.workqueue.models import ItemKind
from inbox.fax.convert import ConvertedFax, FaxUnreadable, convert_tiff
from inbox.fax.models import FaxDocument
from inbox.scan.scanner import Scanner
from inbox.scan.service import CLEAN, scan_and_record
from inbox.sorting.rules import SortSubject, normalise_did
from inbox.sorting.service import sort_item
from mediastore.crypto.errors import MediaAlreadyExists
from mediastore.store.store import MediaStore
from realtime.auth.secretbox import SecretBox
from realtime.errors import MadoguchiError

NAMESPACE = uuid.UUID("0b5f8e0a-77a4-5c2e-9d3b-6f1e2a4c8d10")
FAX_DUE = timedelta(hours=24)
TIFF_TYPES = frozenset({"image/tiff", "image/tif", "image/x-tiff", "application/tiff"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})


class FaxNotFound(MadoguchiError):
    error_id = "fax-not-found"
    status_code = 404
    message_ja = "FAX が見つかりません。"

    def __init__(self, *, fax_id: int) -> None:
        super().__init__(fax_id=fax_id)
        self.fax_id = fax_id


@dataclass(frozen=True)
class IncomingFax:
    """A fax as it arrived: where from, which number was dialled, and the file."""

    source: str  # "freeswitch" or "mail"
    source_ref: str
    did: str
    remote: str
    received_at: datetime
    data: bytes
    content_type: str
    filename: str = ""
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaxOutcome:
    """What happened to one fax: its row, state and work item (None when quarantined)."""

    fax_id: int
    state: str
    work_item_id: str | None
    already: bool
    reasons: list[str]


OcrHook = Callable[[Session, ConvertedFax], str]


def _media_id(prefix: str, source_ref: str) -> str:
    return f"fax-{hashlib.sha256(source_ref.encode()).hexdigest()[:24]}-{prefix}"


def _keep(media: MediaStore, file_id: str, data: bytes) -> str:
    with contextlib.suppress(MediaAlreadyExists):  # a retry: the same id holds the same fax
        media.write(file_id=file_id, chunks=[data])
    return file_id


def fax_type(*, content_type: str, filename: str, data: bytes) -> str | None:
    """image/tiff, application/pdf, or None when the file is neither."""
    name = filename.lower()
    if (
        content_type in TIFF_TYPES
        or name.endswith((".tif", ".tiff"))
        or data[:4]
        in (
            b"II*\x00",
            b"MM\x00*",
        )
    ):
        return "image/tiff"
    if content_type in PDF_TYPES or name.endswith(".pdf") or data[:5] == b"%PDF-":
        return "application/pdf"
    return None


def receive_fax(
    session: Session,
    *,
    fax: IncomingFax,
    media: MediaStore,
    box: SecretBox,
    scanner: Scanner,
    default_skill: str = "",
    ocr: OcrHook | None = None,
) -> FaxOutcome:
    """Store, scan, convert, sort and queue one fax; commits. A repeat returns the stored one."""
    existing = session.exec(
        select(FaxDocument).where(col(FaxDocument.source_ref) == fax.source_ref)
    ).first()
    if existing is not None and existing.id is not None:
        return FaxOutcome(
            existing.id, existing.state, existing.work_item_id, True, json.loads(existing.reasons)
        )
    kind = fax_type(content_type=fax.content_type, filename=fax.filename, data=fax.data) or (
        fax.content_type or "application/octet-stream"
    )
    original_id = _keep(media, _media_id("original", fax.source_ref), fax.data)
    reasons = list(fax.reasons)
    verdict = scan_and_record(
        session,
        scanner=scanner,
        file_key=original_id,
        data=fax.data,
        filename=fax.filename or "fax",
        content_type=kind,
    )
    state = "queued" if verdict.verdict == CLEAN else "quarantined"
    if state == "quarantined":
        reasons.append(verdict.reason)
    converted: ConvertedFax | None = None
    if state == "queued" and kind == "image/tiff":
        try:
            converted = convert_tiff(fax.data)
        except FaxUnreadable as exc:
            reasons.append(exc.reason + "。原本は保存されています")
    elif state == "queued" and kind != "application/pdf":
        reasons.append(f"FAX として読めない形式です（{kind}）。原本は保存されています")
    did = normalise_did(fax.did)
    decision = sort_item(session, subject=SortSubject(fax_did=did), default_skill=default_skill)
    contact_id = str(uuid.uuid5(NAMESPACE, "contact:" + fax.source_ref))
    row = FaxDocument(
        source=fax.source,
        source_ref=fax.source_ref,
        did=did[:32],
        remote_sealed=box.seal(fax.remote) if fax.remote else "",
        received_at=fax.received_at,
        due_at=fax.received_at + FAX_DUE,
        state=state,
        reasons=json.dumps(reasons, ensure_ascii=False),
        pages=0,
        original_file_id=original_id,
        original_sha256=verdict.sha256,
        original_type=kind[:32],
        skill=decision.skill or "",
        contact_id=contact_id,
    )
    if converted is not None:
        row.pages = len(converted.pages)
        row.pdf_file_id = _keep(media, _media_id("pdf", fax.source_ref), converted.pdf)
        pages = []
        for index, png in enumerate(converted.pngs, start=1):
            page_id = _keep(media, _media_id(f"p{index}", fax.source_ref), png)
            scan_and_record(
                session, scanner=scanner, file_key=page_id, data=png, content_type="image/png"
            )
            pages.append(page_id)
        row.page_file_ids = json.dumps(pages)
        scan_and_record(
            session,
            scanner=scanner,
            file_key=row.pdf_file_id,
            data=converted.pdf,
            content_type="application/pdf",
        )
        if ocr is not None:
            row.ocr_category = ocr(session, converted)[:64]
    session.add(row)
    session.flush()
    assert row.id is not None
    if state == "queued":
        item = workqueue.enqueue(
            session,
            kind=ItemKind.FAX,
            contact_id=contact_id,
            skill=decision.skill,
            line="fax",
            source_ref=f"fax:{row.id}",
            received_at=fax.received_at,
        )
        row.work_item_id = item.id
        session.add(row)
        append_many(session, events=[received_event(row, did)])
    else:
        session.commit()
    return FaxOutcome(row.id, state, row.work_item_id, False, reasons)


def received_event(row: FaxDocument, did: str) -> NewEvent:
    """contact.received of a fax (channel fax; the DID as trunk, never the sender's number)."""
    return NewEvent(
        type=EventType.CONTACT_RECEIVED,
        occurred_at=row.received_at,
        contact_id=row.contact_id,
        channel=Channel.FAX,
        line="fax",
        source="inbox",
        payload={"direction": "inbound", "trunk": did or None},
        event_id=str(uuid.uuid5(NAMESPACE, "event:" + row.source_ref)),
    )


def get_fax(session: Session, *, fax_id: int) -> FaxDocument:
    """One fax row."""
    row = session.get(FaxDocument, fax_id)
    if row is None:
        raise FaxNotFound(fax_id=fax_id)
    return row
