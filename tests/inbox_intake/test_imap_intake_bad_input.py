"""Bad mail through a real IMAP server: each ends queued or quarantined with a reason; the raw
message is always kept; a quarantined message can be released into the queue."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import col, select

from inbox.intake.privacy import inbox_box
from inbox.intake.queue import (
    InboxItemNotQuarantined,
    list_items,
    mark_taken,
    release_quarantined,
)
from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage
from mediastore.store.config import store_from_settings
from realtime.db import Database
from tests.inbox import make_mails
from tests.inbox_intake.conftest import mailbox_config, received_events
from tests.inbox_intake.mails import unique

STORM = 25


@pytest.mark.req("F-1.6.1", "F-1.6.2")
def test_bad_mail_is_queued_or_quarantined_with_reason_and_raw_kept(imap_server, intake_settings):
    bad = {
        "broken_mime": unique(make_mails.broken_mime(), 1, "bad"),
        "unknown_charset": unique(make_mails.unknown_charset(), 2, "bad"),
        "corrupt_tiff": unique(make_mails.corrupt_tiff(), 3, "bad"),
        "mail_loop": unique(make_mails.mail_loop(), 4, "bad"),
        "big_attachment": unique(make_mails.big_attachment_mail(), 5, "bad"),
    }
    bounces = [unique(make_mails.dsn_bounce(), n, "bounce") for n in range(STORM)]
    imap_server.append("public", list(bad.values()) + bounces)
    settings = intake_settings(
        [mailbox_config(imap_server, "public", address="soudan@city.example.lg.jp")]
    )
    db = Database(settings.effective_database_url)
    assert asyncio.run(build_intake(settings, db=db).drain()) == len(bad) + STORM

    media = store_from_settings(settings)
    with db.session() as session:
        rows = list(session.exec(select(InboxMessage).order_by(col(InboxMessage.uid))))
    assert len(rows) == len(bad) + STORM
    raws = list(bad.values()) + bounces
    for row, raw in zip(rows, raws, strict=True):
        assert row.raw_size == len(raw)
        assert b"".join(media.read_all(file_id=row.raw_file_id)) == raw  # never lost
        assert row.state in ("queued", "quarantined")
    named = dict(zip(bad, rows, strict=False))
    for name in ("broken_mime", "unknown_charset", "corrupt_tiff", "big_attachment"):
        assert json.loads(named[name].reasons), f"{name} has no reason"
    loop = named["mail_loop"]
    assert loop.state == "quarantined"
    assert any("ループ" in reason for reason in json.loads(loop.reasons))

    bounce_rows = rows[len(bad) :]
    assert all(r.is_auto and not r.answerable for r in bounce_rows)
    stormed = [r for r in bounce_rows if r.state == "quarantined"]
    assert len(stormed) == STORM - 20  # the guard's default limit: 20 in 10 minutes
    assert all("バウンスストーム" in json.loads(r.reasons)[0] for r in stormed)

    # quarantined mail produced no contact event; releasing one queues it and emits one
    events_before = len(received_events(db))
    assert loop.id is not None
    with db.session() as session:
        released = release_quarantined(session, message_id=loop.id, actor="admin1")
    assert released.state == "queued"
    events = received_events(db)
    assert len(events) == events_before + 1
    assert events[-1].event_id == released.event_id
    with db.session() as session, pytest.raises(InboxItemNotQuarantined):
        release_quarantined(session, message_id=loop.id, actor="admin1")

    box = inbox_box(settings.secret_key.get_secret_value())
    with db.session() as session:
        items = list_items(session, box=box, limit=500)
        assert loop.id in {item.id for item in items}
        assert mark_taken(session, message_id=loop.id) is True
        assert mark_taken(session, message_id=loop.id) is False
        assert loop.id not in {item.id for item in list_items(session, box=box, limit=500)}
    assert [i.due_at for i in items] == sorted(i.due_at for i in items)
    db.dispose()
