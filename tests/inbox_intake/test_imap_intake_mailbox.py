"""Mailbox-level behaviour: UIDVALIDITY changes, leaving mail unread, moving taken mail."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import col, func, select

from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage, MailboxCursor
from realtime.audit.models import AuditEntry
from realtime.db import Database
from tests.inbox_intake.conftest import count_messages, mailbox_config, received_events
from tests.inbox_intake.mails import varied


@pytest.mark.req("F-1.6.1", "N-REL-1")
def test_uidvalidity_change_rescans_keeping_duplicates_out_of_the_queue(
    imap_server, intake_settings
):
    settings = intake_settings([mailbox_config(imap_server, "public")])
    db = Database(settings.effective_database_url)
    imap_server.append("public", varied(4, tag="before"))
    assert asyncio.run(build_intake(settings, db=db).drain()) == 4
    queued_before = len(received_events(db))

    new_validity = imap_server.rebuild_index("public")  # same 4 mails, new UIDs
    imap_server.append("public", varied(2, tag="after"))
    assert asyncio.run(build_intake(settings, db=db).drain()) == 6  # every UID recorded

    with db.session() as session:
        rows = list(session.exec(select(InboxMessage).order_by(col(InboxMessage.id))))
        cursor = session.get(MailboxCursor, "public")
        audited = session.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(col(AuditEntry.action) == "imap-uidvalidity-changed")
        ).one()
    assert cursor is not None
    assert (cursor.uidvalidity, cursor.last_uid, cursor.uidvalidity_changes) == (new_validity, 6, 1)
    rescanned = [r for r in rows if r.uidvalidity == new_validity]
    duplicates = [r for r in rescanned if r.state == "duplicate"]
    assert len(duplicates) == 4
    originals = {r.id: r for r in rows if r.uidvalidity != new_validity}
    for dup in duplicates:
        assert dup.duplicate_of in originals
        assert originals[dup.duplicate_of].raw_sha256 == dup.raw_sha256
        assert "UIDVALIDITY" in json.loads(dup.reasons)[0]
        assert dup.event_id is None
    fresh = [r for r in rescanned if r.state != "duplicate"]
    assert len(fresh) == 2
    assert len(received_events(db)) == queued_before + sum(r.state == "queued" for r in fresh)
    assert audited == 1
    db.dispose()


def _flags(server, user: str, folder: str) -> list[bytes]:
    client = server.connect(user)
    try:
        typ, _ = client.select(folder)
        assert typ == "OK"
        typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
        return [d for d in data if isinstance(d, bytes)]
    finally:
        client.logout()


@pytest.mark.req("F-1.6.1")
def test_taken_mail_is_left_unread_on_the_server_by_default(imap_server, intake_settings):
    settings = intake_settings([mailbox_config(imap_server, "public")])
    db = Database(settings.effective_database_url)
    imap_server.append("public", varied(3, tag="unread"))
    assert asyncio.run(build_intake(settings, db=db).drain()) == 3
    flags = _flags(imap_server, "public", "INBOX")
    assert len(flags) == 3
    assert all(b"\\Seen" not in f for f in flags)
    db.dispose()


@pytest.mark.req("F-1.6.1")
def test_taken_mail_moves_to_the_processed_folder_when_configured(imap_server, intake_settings):
    client = imap_server.connect("liaison")
    client.create("Processed")
    client.logout()
    settings = intake_settings([mailbox_config(imap_server, "liaison", move_to="Processed")])
    db = Database(settings.effective_database_url)
    imap_server.append("liaison", varied(3, tag="move"))
    assert asyncio.run(build_intake(settings, db=db).drain()) == 3
    assert _flags(imap_server, "liaison", "INBOX") == []
    assert len(_flags(imap_server, "liaison", "Processed")) == 3
    assert asyncio.run(build_intake(settings, db=db).drain()) == 0
    assert count_messages(db) == 3
    db.dispose()
