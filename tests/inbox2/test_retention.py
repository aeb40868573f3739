"""Mail and fax kept no longer than needed: their personal data is erased a set time after their
work item closed (or after they arrived, when they never became one), with a disposal record."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from crm.workqueue import service as workqueue
from crm.workqueue.models import ItemResult, WorkItem
from inbox.fax.models import FaxDocument
from inbox.fax.service import IncomingFax, receive_fax
from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage, InboxParsed
from inbox.retention import run_inbox_retention
from mediastore.retention.models import DisposalRecord
from mediastore.store.config import store_from_settings
from realtime.audit.models import AuditEntry
from realtime.db import Database
from realtime.timeutil import utcnow
from switch.standin.media import write_fax_tiff
from tests.inbox2.conftest import citizen_mail, inbox_config, make_connector
from tests.inbox_intake.conftest import mailbox_config


@pytest.mark.req("N-PRIV-3", "N-PRIV-2")
def test_mail_and_fax_closed_past_the_retention_lose_their_personal_data_and_nothing_else(
    imap_server, intake_settings, dbs, tmp_path: Path
) -> None:
    imap_server.append("public", [citizen_mail(n) for n in (1, 2, 3)])
    settings = intake_settings([mailbox_config(imap_server, "public")])
    db = Database(settings.effective_database_url)
    dbs.append(db)
    connector = make_connector(settings, inbox_config())
    intake = build_intake(settings, db=db, after_record=connector.after_record)
    assert asyncio.run(intake.drain()) == 3
    tiff = tmp_path / "fax.tif"
    write_fax_tiff(tiff, pages=2)
    with db.session() as session:
        receive_fax(
            session,
            fax=IncomingFax(
                source="freeswitch", source_ref="call-1", did="0339811280", remote="0339810000",
                received_at=utcnow(), data=tiff.read_bytes(), content_type="image/tiff",
            ),
            media=connector.media, box=connector.box, scanner=connector.scanner,
        )  # fmt: skip
    with db.session() as session:
        items = {w.source_ref: w for w in session.exec(select(WorkItem))}
        mails = {m.uid: m for m in session.exec(select(InboxMessage))}
        (fax,) = session.exec(select(FaxDocument)).all()
    closed = [items[f"inbox:{mails[1].id}"], items[f"inbox:{mails[2].id}"], items[f"fax:{fax.id}"]]
    with db.session() as session:
        for item in closed:
            workqueue.take(session, item_id=item.id, agent="op1")
            workqueue.complete(
                session, item_id=item.id, agent="op1", result=ItemResult.REPLIED,
                at=utcnow() + timedelta(days=300) if item is closed[1] else None,
            )  # fmt: skip
    store = store_from_settings(settings)
    kept_files = [mails[2].raw_file_id, mails[3].raw_file_id]
    fax_files = [fax.original_file_id, fax.pdf_file_id, *json.loads(fax.page_file_ids)]
    assert all(store.exists(file_id=f) for f in [*kept_files, *fax_files])

    year_on = utcnow() + timedelta(days=366)  # a year after two of them closed
    done = run_inbox_retention(database=db, store=store, days=365, now=year_on)

    assert (done.mails, done.faxes) == (1, 1)
    assert done.files == 1 + len(fax_files)
    with db.session() as session:
        erased = session.get(InboxMessage, mails[1].id)
        assert erased is not None
        assert (erased.raw_file_id, erased.sender_sealed) == ("", "")
        assert session.get(InboxParsed, mails[1].id) is None
        for uid in (2, 3):  # closed later / still open: untouched
            row = session.get(InboxMessage, mails[uid].id)
            assert row is not None
            assert row.sender_sealed != ""
            assert session.get(InboxParsed, mails[uid].id) is not None
        gone_fax = session.get(FaxDocument, fax.id)
        assert gone_fax is not None
        assert (gone_fax.original_file_id, gone_fax.remote_sealed) == ("", "")
        assert gone_fax.page_file_ids == "[]"
        assert gone_fax.pages == 2  # the figures stay
        records = session.exec(select(DisposalRecord).order_by(col(DisposalRecord.id))).all()
        assert [(r.recording_id, r.rule) for r in records] == [
            (f"mail-{mails[1].id}", "inbox:365d"),
            (f"fax-{fax.id}", "inbox:365d"),
        ]
        assert session.exec(select(AuditEntry).where(col(AuditEntry.action) == "inbox.erase")).one()
    assert not store.exists(file_id=mails[1].raw_file_id)
    assert all(store.exists(file_id=f) for f in kept_files)
    assert not any(store.exists(file_id=f) for f in fax_files)
    again = run_inbox_retention(database=db, store=store, days=365, now=year_on)
    assert (again.mails, again.faxes, again.files) == (0, 0, 0)
    later = run_inbox_retention(
        database=db, store=store, days=365, now=year_on + timedelta(days=300)
    )
    assert (later.mails, later.faxes) == (1, 0)  # the one closed later; an open one stays
    with db.session() as session:
        still_open = session.get(InboxMessage, mails[3].id)
        assert still_open is not None
        assert still_open.sender_sealed != ""
