"""Faxes received by FreeSWITCH: the ``spandsp::rxfaxresult`` event names the TIFF written by
``rxfax`` (``fax_filename``), the number dialled and the result; the file is read and taken in.

Register with :func:`register` on the switch subsystem's ESL client. The DID is the
``madoguchi_did`` channel variable set by our dialplan, else the destination number. A failed
reception that still wrote pages is taken with the failure as its reason; one without a file is
logged and audited (there is nothing to keep).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import anyio.to_thread
from sqlmodel import Session

from inbox.fax.service import FaxOutcome, IncomingFax
from realtime.audit import service as audit
from realtime.db import Database
from realtime.timeutil import utcnow
from switch.connection.client import EslClient
from switch.connection.events import SwitchEvent

log = logging.getLogger("inbox.fax")

RXFAX_RESULT = "spandsp::rxfaxresult"


@dataclass(frozen=True)
class RxFax:
    """What an rxfaxresult event says."""

    call_uuid: str
    path: str
    did: str
    remote: str
    success: bool
    result_text: str
    pages: int
    at: datetime


def read_event(event: SwitchEvent) -> RxFax | None:
    """The fax facts of an rxfaxresult event (None for other events or without a call)."""
    if event.key != RXFAX_RESULT or not event.unique_id:
        return None
    did = event.get("variable_madoguchi_did") or event.get("Caller-Destination-Number") or ""
    remote = event.get("variable_fax_remote_station_id") or event.get("Caller-Caller-ID-Number")
    pages_raw = event.get("variable_fax_document_transferred_pages") or "0"
    stamp = event.get("Event-Date-Timestamp") or ""
    at = utcnow()
    if stamp.isdigit():
        at = datetime.fromtimestamp(int(stamp) / 1_000_000, tz=at.tzinfo)
    return RxFax(
        call_uuid=event.unique_id,
        path=event.get("variable_fax_filename") or "",
        did=did,
        remote=(remote or "").strip(),
        success=event.get("variable_fax_success") == "1",
        result_text=event.get("variable_fax_result_text") or "",
        pages=int(pages_raw) if pages_raw.isdigit() else 0,
        at=at,
    )


@dataclass
class FaxReceiver:
    """Turns rxfaxresult events into received faxes through ``take`` (run in the DB thread)."""

    db: Database
    take: Callable[[Session, IncomingFax], FaxOutcome]
    received: int = 0
    failed: int = 0

    async def handle(self, event: SwitchEvent) -> FaxOutcome | None:
        """The ESL handler: read the TIFF and take the fax in (never raises on bad input)."""
        fax = read_event(event)
        if fax is None:
            return None
        path = Path(fax.path) if fax.path else None
        data = b""
        if path is not None:
            try:
                data = await anyio.to_thread.run_sync(path.read_bytes)
            except OSError as exc:
                log.warning("fax %s: cannot read %s (%s)", fax.call_uuid, path, exc)
        if not data:
            self.failed += 1
            await self.db.run(self._audit_lost, fax)
            return None
        reasons: tuple[str, ...] = ()
        if not fax.success:
            reasons = (f"FAX の受信が途中で失敗しました（{fax.result_text or '不明'}）",)
        incoming = IncomingFax(
            source="freeswitch",
            source_ref=f"call:{fax.call_uuid}",
            did=fax.did,
            remote=fax.remote,
            received_at=fax.at,
            data=data,
            content_type="image/tiff",
            filename=path.name if path else "",
            reasons=reasons,
        )
        outcome: FaxOutcome = await self.db.run(self._take, incoming)
        self.received += 1
        return outcome

    def _take(self, incoming: IncomingFax) -> FaxOutcome:
        with self.db.session() as session:
            return self.take(session, incoming)

    def _audit_lost(self, fax: RxFax) -> None:
        with self.db.session() as session:
            audit.record(
                session,
                actor="system:fax",
                action="fax-receive-failed",
                outcome="failure",
                target=fax.call_uuid,
                detail={"did": fax.did, "result": fax.result_text, "pages": fax.pages},
            )
            session.commit()

    def register(self, client: EslClient) -> bool:
        """Listen for rxfaxresult on the ESL client (idempotent)."""
        return client.add_handler(RXFAX_RESULT, self.on_event)

    async def on_event(self, event: SwitchEvent) -> None:
        """The handler registered on the client (its result is not needed there)."""
        await self.handle(event)
