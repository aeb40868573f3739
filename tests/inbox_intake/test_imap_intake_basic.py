"""Taking mail from a real Dovecot: every message once, raw kept encrypted, parsed record sealed."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta

import pytest
from sqlmodel import col, select

from cms.service import payload_of
from inbox.intake.privacy import inbox_box
from inbox.intake.queue import list_items
from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage, InboxParsed, MailboxCursor
from mediastore.store.config import store_from_settings
from realtime.db import Database
from tests.inbox_intake.conftest import count_messages, mailbox_config, received_events
from tests.inbox_intake.mails import varied


@pytest.mark.req("F-1.6.1", "F-1.6.2")
def test_appended_mail_of_two_mailboxes_is_taken_once_with_raw_and_parsed(
    imap_server, intake_settings, database_url
):
    public_mail = varied(7, tag="pub")
    liaison_mail = varied(3, tag="dept")
    imap_server.append("public", public_mail)
    imap_server.append("liaison", liaison_mail)
    settings = intake_settings(
        [mailbox_config(imap_server, "public"), mailbox_config(imap_server, "liaison")],
        database_url=database_url,
    )
    db = Database(settings.effective_database_url)
    intake = build_intake(settings, db=db)

    assert asyncio.run(intake.drain()) == 10
    assert asyncio.run(intake.drain()) == 0  # nothing new: nothing taken twice

    assert count_messages(db, "public") == 7
    assert count_messages(db, "liaison") == 3
    media = store_from_settings(settings)
    box = inbox_box(settings.secret_key.get_secret_value())
    with db.session() as session:
        rows = list(session.exec(select(InboxMessage).order_by(col(InboxMessage.id))))
        cursors = {c.mailbox: c for c in session.exec(select(MailboxCursor))}
        parsed = {p.message_id: p for p in session.exec(select(InboxParsed))}
    assert cursors["public"].last_uid == 7
    assert cursors["public"].uidvalidity == imap_server.uidvalidity("public")
    by_uid = {(r.mailbox, r.uid): r for r in rows}
    for uid, raw in enumerate(public_mail, start=1):
        row = by_uid[("public", uid)]
        stored = b"".join(media.read_all(file_id=row.raw_file_id))
        assert stored == raw  # the raw message, byte for byte
        assert row.raw_sha256 == hashlib.sha256(raw).hexdigest()
        assert raw not in media.path_for(row.raw_file_id).read_bytes()  # encrypted at rest
        assert row.state in ("queued", "quarantined")
        assert row.id is not None
        record = json.loads(box.open(parsed[row.id].parsed_sealed))
        assert record["message_id"] == f"<pub-{uid - 1}@sender.example.jp>"
        assert b"sender.example" not in parsed[row.id].parsed_sealed.encode()

    events = received_events(db)
    queued = [r for r in rows if r.state == "queued"]
    assert len(events) == len(queued)
    assert {e.event_id for e in events} == {r.event_id for r in queued}
    for event in events:
        assert event.channel == "email"
        assert event.source == "inbox"
        assert event.line in ("public", "liaison")
        assert "@" not in event.payload  # no address in the event log (N-PRIV-1)
        assert payload_of(event) == {"direction": "inbound", "trunk": event.line}

    with db.session() as session:
        items = list_items(session, box=box, mailbox="liaison")
    assert len(items) == sum(1 for r in rows if r.mailbox == "liaison" and r.state == "queued")
    assert items
    for item in items:
        assert item.due_at - item.received_at == timedelta(hours=24)
        assert "@" in item.sender_address
        assert item.sender_address == item.parsed["sender_address"]
        assert item.subject == item.parsed["subject"]
    db.dispose()
