"""The scanning hook against a real clamd (N-SEC-5): a clean attachment passes, EICAR is
quarantined with the signature's name, an oversized stream is refused with a clear reason, and
while clamd is down a mail is held out of the work queue, audited once and connected as soon as
clamd answers again."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import col, select

from crm.workqueue.models import WorkItem
from inbox.intake.privacy import inbox_box
from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage
from inbox.scan.models import ScanVerdict
from inbox.scan.scanner import ClamdScanner, PolicyScanner, ScanChain
from inbox.scan.service import FileQuarantined, require_clean
from inbox.sorting.connect import MailConnector, attachment_key, connect_pending
from mediastore.store.config import store_from_settings
from realtime.audit.models import AuditEntry
from realtime.db import Database
from tests.inbox2.conftest import citizen_mail, inbox_config
from tests.inbox_intake.conftest import mailbox_config
from tests.inbox_scan.conftest import EICAR, SIGNATURE, STREAM_MAX_BYTES, Clamd

CLEAN_TEXT = "申請書の記入例です。よろしくお願いします。\n".encode() * 20


def _chain(clamd: Clamd) -> ScanChain:
    return ScanChain([PolicyScanner(), ClamdScanner(clamd.address, timeout=60)])


@pytest.mark.req("N-SEC-5")
def test_real_clamd_passes_a_clean_file_and_names_the_eicar_signature(clamd: Clamd) -> None:
    chain = _chain(clamd)
    clean = chain.scan(data=CLEAN_TEXT, filename="記入例.txt", content_type="text/plain")
    assert clean.clean
    assert clean.scanner == "clamd"
    assert not clean.retry

    found = chain.scan(data=EICAR, filename="請求書.txt", content_type="text/plain")
    assert not found.clean
    assert not found.retry
    assert found.scanner == "clamd"
    assert SIGNATURE in found.reason
    assert "請求書.txt" in found.reason
    assert "ウイルス" in found.reason


@pytest.mark.req("N-SEC-5")
def test_stream_over_clamds_limit_is_quarantined_as_too_large_not_as_unreachable(
    clamd: Clamd,
) -> None:
    chain = _chain(clamd)
    big = b"A" * (STREAM_MAX_BYTES * 3)  # under the policy's 20 MB, over clamd's 1 MiB
    result = chain.scan(data=big, filename="大きな資料.txt", content_type="text/plain")
    assert not result.clean
    assert not result.retry
    assert result.scanner == "clamd"
    assert "大きすぎて" in result.reason
    assert str(len(big)) in result.reason
    # clamd is still serving afterwards
    assert chain.scan(data=CLEAN_TEXT, filename="a.txt", content_type="text/plain").clean


def _setup(imap_server, intake_settings, database_url, dbs, clamd: Clamd, mails):
    imap_server.append("public", mails)
    settings = intake_settings([mailbox_config(imap_server, "public")], database_url=database_url)
    db = Database(settings.effective_database_url)
    dbs.append(db)
    config = inbox_config(inbox_clamd=clamd.address)
    connector = MailConnector(
        media=store_from_settings(settings),
        box=inbox_box(settings.secret_key.get_secret_value()),
        config=config,
        scanner=_chain(clamd),
    )
    intake = build_intake(settings, db=db, after_record=connector.after_record)
    return db, connector, intake


def _state(db: Database) -> tuple[dict[int, InboxMessage], dict[int, ScanVerdict], list[WorkItem]]:
    """Messages and their attachment's verdict by IMAP uid (file names are not kept), items."""
    with db.session() as session:
        rows = {r.uid: r for r in session.exec(select(InboxMessage))}
        uid_of = {r.raw_file_id: uid for uid, r in rows.items()}
        verdicts = {
            uid_of[v.file_key.split("#", 1)[0]]: v
            for v in session.exec(select(ScanVerdict))
            if "#" in v.file_key
        }
        items = list(session.exec(select(WorkItem)))
    return rows, verdicts, items


@pytest.mark.req("N-SEC-5", "F-1.6.1")
def test_mail_attachments_scanned_by_real_clamd_eicar_quarantined_clean_served(
    imap_server, intake_settings, database_url, dbs, clamd: Clamd
) -> None:
    mails = [
        citizen_mail(1, attachments=[("記入例.txt", "text/plain", CLEAN_TEXT)]),
        citizen_mail(2, attachments=[("eicar.com.txt", "text/plain", EICAR)]),
    ]
    db, _connector, intake = _setup(imap_server, intake_settings, database_url, dbs, clamd, mails)
    assert asyncio.run(intake.drain()) == 2

    rows, verdicts, items = _state(db)
    assert sorted(str(i.source_ref) for i in items) == sorted(
        f"inbox:{r.id}" for r in rows.values()
    )
    assert verdicts[1].verdict == "clean"
    assert verdicts[1].scanner == "clamd"
    eicar = verdicts[2]
    assert eicar.verdict == "quarantined"
    assert eicar.scanner == "clamd"
    assert SIGNATURE in eicar.reason
    assert any(SIGNATURE in r for r in json.loads(rows[2].reasons))
    with db.session() as session:
        assert require_clean(session, file_key=verdicts[1].file_key).verdict == "clean"
        with pytest.raises(FileQuarantined) as refused:
            require_clean(session, file_key=eicar.file_key)
    assert SIGNATURE in refused.value.reason


@pytest.mark.req("N-SEC-5")
def test_clamd_down_holds_the_mail_out_of_the_queue_alerts_once_and_retries(
    imap_server, intake_settings, database_url, dbs, clamd: Clamd
) -> None:
    clamd.stop()
    mails = [citizen_mail(1, attachments=[("記入例.txt", "text/plain", CLEAN_TEXT)])]
    db, connector, intake = _setup(imap_server, intake_settings, database_url, dbs, clamd, mails)
    assert asyncio.run(intake.drain()) == 1

    rows, verdicts, items = _state(db)
    row = rows[1]
    assert items == []  # not delivered to agents
    assert row.taken_at is None
    assert verdicts[1].verdict == "held"
    assert "clamd" in verdicts[1].reason
    assert any("保留" in r and "clamd" in r for r in json.loads(row.reasons))
    key = attachment_key(row.raw_file_id, verdicts[1].file_key.split("#", 1)[1])
    with db.session() as session:
        with pytest.raises(FileQuarantined):
            require_clean(session, file_key=key)
        # the worker's catch-up round while clamd is still down: still held, no second alert
        assert connect_pending(session, connector) == 0

    def alerts() -> list[AuditEntry]:
        with db.session() as session:
            stmt = select(AuditEntry).where(col(AuditEntry.action) == "inbox-scan-held")
            return list(session.exec(stmt))

    held = alerts()
    assert len(held) == 1
    assert held[0].outcome == "failure"
    assert held[0].target == f"inbox:{row.id}"
    assert _state(db)[2] == []

    clamd.start()
    with db.session() as session:
        assert connect_pending(session, connector) == 1
    rows, verdicts, items = _state(db)
    assert [i.source_ref for i in items] == [f"inbox:{row.id}"]
    assert rows[1].taken_at is not None
    assert verdicts[1].verdict == "clean"
    assert verdicts[1].scanner == "clamd"
    assert len(alerts()) == 1
