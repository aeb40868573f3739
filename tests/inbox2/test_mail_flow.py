"""Mail from a real Dovecot into the work queue, sorted by rules, acknowledged and answered
through a real SMTP relay (aiosmtpd) with threading headers, retries and visible failures."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from datetime import timedelta

import pytest
from sqlmodel import col, select

from cms.models import ContactEvent
from crm.departments import service as departments
from crm.workqueue import service as workqueue
from crm.workqueue.models import WorkItem
from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage
from inbox.reply import outbox, templates
from inbox.reply.models import OutboxMail
from inbox.reply.service import forward_item, reply_to_item
from inbox.scan.models import ScanVerdict
from inbox.sorting import service as sorting
from inbox.sorting.rules import validate_rule
from realtime.db import Database
from realtime.timeutil import utcnow
from tests.inbox2.conftest import (
    Relay,
    citizen_mail,
    inbox_config,
    make_connector,
    smtp_relay,
)
from tests.inbox_intake.conftest import mailbox_config

DEPARTMENTS = """dept_id,bu,ka,kakari,extension,handles
D10,保健福祉部,国保年金課,資格係,2301,国民健康保険の加入・脱退
""".encode()
SECRET_REPLY = "山田様の国保番号 12345678 について、資格係で確認しました。"


def _setup(imap_server, intake_settings, database_url, dbs, mails, **config_extra):
    imap_server.append("public", mails)
    settings = intake_settings([mailbox_config(imap_server, "public")], database_url=database_url)
    db = Database(settings.effective_database_url)
    dbs.append(db)
    config = inbox_config(**config_extra)
    connector = make_connector(settings, config)
    with db.session() as session:
        departments.import_csv(session, data=DEPARTMENTS, actor="test")
        for name, field, pattern, skill, priority in (
            ("国保の件名", "subject", "国民健康保険|国保", "kokuho", 10),
            ("銀行から", "sender", "@bank.example.jp", "finance", 20),
            ("全部（優先度低）", "subject", "の", "catchall-not-first", 90),
        ):
            rule = validate_rule(
                name=name, field=field, pattern=pattern, skill=skill, priority=priority
            )
            sorting.create_rule(session, rule=rule, actor="admin1")
    intake = build_intake(settings, db=db, after_record=connector.after_record)
    return settings, db, config, connector, intake


def _items(db: Database) -> dict[str, WorkItem]:
    with db.session() as session:
        return {w.source_ref or "": w for w in session.exec(select(WorkItem))}


@pytest.mark.req("F-1.6.1", "F-1.6.2", "F-2.1.5", "S-M1", "N-SEC-5")
def test_received_mail_becomes_sorted_email_items_due_in_24_hours(
    imap_server, intake_settings, database_url, dbs
):
    mails = [
        citizen_mail(1, subject="国民健康保険の加入について"),
        citizen_mail(2, subject="ごみ収集日", sender="<info@bank.example.jp>"),
        citizen_mail(3, subject="粗大ごみ"),  # nothing matches: default queue
        citizen_mail(
            4,
            subject="申請書の送付",
            attachments=[
                ("申請書.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 200),
                ("地図.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
            ],
        ),
    ]
    _settings, db, _config, connector, intake = _setup(
        imap_server, intake_settings, database_url, dbs, mails
    )
    assert asyncio.run(intake.drain()) == 4

    with db.session() as session:
        rows = {r.uid: r for r in session.exec(select(InboxMessage))}
        verdicts = {v.filename: v for v in session.exec(select(ScanVerdict))}
    items = _items(db)
    assert len(items) == 4
    skills = {uid: items[f"inbox:{rows[uid].id}"].skill for uid in rows}
    assert skills == {1: "kokuho", 2: "finance", 3: None, 4: "catchall-not-first"}
    for _uid, row in rows.items():
        item = items[f"inbox:{row.id}"]
        assert item.kind == "email"
        assert item.contact_id == row.contact_id
        assert item.due_at == row.received_at + timedelta(hours=24)
        assert row.taken_at is not None
    # the executable is quarantined with a reason; the picture may be opened
    assert verdicts["添付ファイル.exe"].verdict == "quarantined"
    assert ".exe" in verdicts["添付ファイル.exe"].reason
    assert verdicts["添付ファイル.png"].verdict == "clean"
    assert any("隔離" in r for r in json.loads(rows[4].reasons))

    # connecting again (the periodic catch-up) adds nothing
    with db.session() as session:
        assert all(
            connector.connect(session, message_id=r.id).kind == "skipped" for r in rows.values()
        )
    assert len(_items(db)) == 4


@pytest.mark.req("F-1.6.1", "S-M1")
def test_acknowledgement_is_auto_submitted_in_thread_and_never_sent_to_automatic_mail(
    imap_server, intake_settings, tmp_path, dbs
):
    auto = citizen_mail(
        6,
        subject="自動応答: 不在です",
        sender="<robot@example.jp>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    database_url = f"sqlite:///{tmp_path / 'ack.sqlite3'}"

    async def scenario() -> None:
        async with smtp_relay(Relay()) as relay:
            _settings, db, config, connector, intake = _setup(
                imap_server,
                intake_settings,
                database_url,
                dbs,
                [citizen_mail(5), auto],
                inbox_ack_enabled=True,
                smtp_host="127.0.0.1",
                smtp_port=relay.port,
            )
            await intake.drain()
            sent = await outbox.deliver_due(db, box=connector.box, config=config)
            assert [s.state for s in sent] == ["sent"]
            assert [s.kind for s in sent] == ["ack"]
            (rcpts, raw) = relay.messages[0]
            assert rcpts == ["taro@example.jp"]
            mail = email.message_from_bytes(raw, policy=email.policy.default)
            assert mail["Auto-Submitted"] == "auto-replied"
            assert mail["In-Reply-To"] == "<citizen-5@example.jp>"
            assert mail["Message-ID"].endswith("@madoguchi.city.example.lg.jp>")
            assert "受け付けました" in mail.get_body().get_content()

    asyncio.run(scenario())


@pytest.mark.req("F-1.6.1", "F-1.6.2", "S-M1")
def test_reply_threads_retries_a_temporary_refusal_and_keeps_text_out_of_events(
    imap_server, intake_settings, database_url, dbs
):
    async def scenario() -> None:
        async with smtp_relay(Relay(refuse=1)) as relay:
            _settings, db, config, connector, intake = _setup(
                imap_server,
                intake_settings,
                database_url,
                dbs,
                [citizen_mail(7, subject="国保の保険料")],
                smtp_host="127.0.0.1",
                smtp_port=relay.port,
            )
            await intake.drain()
            (item,) = _items(db).values()
            with db.session() as session:
                workqueue.take(session, item_id=item.id, agent="op1")
                template = templates.save_template(
                    session,
                    actor="admin1",
                    name="国保の案内",
                    subject="",
                    body="$name 様\n\n$received に頂いた「$subject」の件です。\n" + SECRET_REPLY,
                )
                row = reply_to_item(
                    session,
                    item_id=item.id,
                    agent="op1",
                    box=connector.box,
                    config=config,
                    template_id=template["id"],
                )
                assert row.id is not None
                reply_id = row.id
            now = utcnow()
            first = await outbox.deliver_one(
                db, outbox_id=reply_id, box=connector.box, config=config, now=now
            )
            assert first.state == "pending"
            assert first.attempts == 1
            assert "451" in first.last_error
            assert first.next_attempt_at == now + timedelta(seconds=60)
            assert await outbox.deliver_due(db, box=connector.box, config=config, now=now) == []
            later = await outbox.deliver_due(
                db, box=connector.box, config=config, now=now + timedelta(seconds=61)
            )
            assert [v.state for v in later] == ["sent"]
            rcpts, raw = relay.messages[-1]
            assert rcpts == ["taro@example.jp"]
            mail = email.message_from_bytes(raw, policy=email.policy.default)
            assert mail["Subject"] == "Re: 国保の保険料"
            assert mail["In-Reply-To"] == "<citizen-7@example.jp>"
            assert mail["References"] == "<citizen-7@example.jp>"
            assert mail["Auto-Submitted"] is None
            text = mail.get_body().get_content()
            assert text.startswith("山田 太郎 様")
            assert SECRET_REPLY in text
            with db.session() as session:
                events = list(session.exec(select(ContactEvent)))
                stored = session.get(OutboxMail, reply_id)
                assert stored is not None
            replied = [e for e in events if e.type == "item.replied"]
            assert len(replied) == 1
            assert json.loads(replied[0].payload) == {"within_24h": True}
            assert all("12345678" not in e.payload for e in events)
            assert "12345678" not in stored.mail_sealed  # sealed at rest

            # the citizen answers our reply: the follow-up joins the same contact
            follow = citizen_mail(
                8,
                subject="Re: 国保の保険料",
                headers={"In-Reply-To": later[0].message_id, "References": later[0].message_id},
            )
            imap_server.append("public", [follow])
            await intake.drain()
            items = _items(db)
            assert len(items) == 2
            assert len({i.contact_id for i in items.values()}) == 1

    asyncio.run(scenario())


@pytest.mark.req("F-1.6.1")
def test_permanent_refusal_fails_visibly_and_forward_records_the_department(
    imap_server, intake_settings, tmp_path, dbs
):
    database_url = f"sqlite:///{tmp_path / 'fail.sqlite3'}"

    async def scenario() -> None:
        async with smtp_relay(Relay(refuse=5, code="550 5.1.1 no such user")) as relay:
            _settings, db, config, connector, intake = _setup(
                imap_server,
                intake_settings,
                database_url,
                dbs,
                [citizen_mail(9), citizen_mail(10, subject="国保の資格")],
                smtp_host="127.0.0.1",
                smtp_port=relay.port,
                inbox_department_addresses={"D10": "shikaku@city.example.lg.jp"},
            )
            await intake.drain()
            items = sorted(_items(db).values(), key=lambda i: i.source_ref or "")
            with db.session() as session:
                for item in items:
                    workqueue.take(session, item_id=item.id, agent="op1")
                row = reply_to_item(
                    session,
                    item_id=items[0].id,
                    agent="op1",
                    box=connector.box,
                    config=config,
                    body="ご案内します。",
                )
                assert row.id is not None
                reply_id = row.id
                message = session.get(InboxMessage, int(items[1].source_ref.split(":")[1]))
                assert message is not None
                forwarded = forward_item(
                    session,
                    item_id=items[1].id,
                    agent="op1",
                    dept_id="D10",
                    box=connector.box,
                    config=config,
                    raw=connector._raw(message),
                    note="資格係でご対応ください。",
                )
                assert forwarded is not None
            failed = await outbox.deliver_one(
                db, outbox_id=reply_id, box=connector.box, config=config
            )
            assert failed.state == "failed"
            assert "550" in failed.last_error
            with db.session() as session:
                visible = outbox.list_outbox(session, state="failed")
                events = list(
                    session.exec(
                        select(ContactEvent).where(col(ContactEvent.type) == "item.forwarded")
                    )
                )
                fwd = session.get(OutboxMail, forwarded.id)
                assert fwd is not None
            assert [v.id for v in visible] == [reply_id]
            assert len(events) == 1
            assert json.loads(events[0].payload) == {"destination": "D10"}
            assert fwd.destination == "D10"
            assert fwd.kind == "forward"

    asyncio.run(scenario())
