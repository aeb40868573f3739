"""The inbox2 routes: rules and templates for administrators (audited), attachments only after a
clean scan, the clock and KPIs for the wallboard, and the periodic push to /supervisor."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from cms.events import Channel, EventType
from cms.service import NewEvent, append_many
from crm.workqueue import service as workqueue
from crm.workqueue.models import ItemKind
from inbox.clock.subsystem import InboxWorker, connector_for
from inbox.intake.raw import keep_raw
from inbox.intake.record import TakenMessage, record_message
from inbox.parse.message import parse_message
from inbox.parse.triage import triage
from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from realtime.timeutil import utcnow
from tests.inbox2.conftest import citizen_mail, inbox_config
from tests.support.app import add_user, make_app, make_settings, signin

TOTP = pyotp.random_base32()


@pytest.fixture
def web(tmp_path) -> Iterator[Any]:
    app = make_app(make_settings(tmp_path / "data"))
    app.ctx.extras["inbox_settings"] = inbox_config(inbox_near_due_minutes=120)
    for name, role in (
        ("admin1", Role.SYSTEM_ADMIN),
        ("op1", Role.OPERATOR),
        ("sv1", Role.SUPERVISOR),
    ):
        add_user(app, name, role, totp_secret=TOTP)
    yield app
    app.ctx.db.dispose()


def _client(app: Any, user: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(app, base_url="http://testserver")
    return client, {"X-CSRF-Token": signin(client, user, totp_secret=TOTP)}


@pytest.mark.req("F-1.6.1", "F-1.6.3", "F-1.5.1", "F-1.5.3")
def test_administrators_edit_sorting_rules_audited_and_operators_cannot(web):
    admin, headers = _client(web, "admin1")
    made = admin.post(
        "/api/inbox/rules/new",
        json={
            "name": "国保",
            "field": "subject",
            "pattern": "国保|国民健康保険",
            "skill": "kokuho",
            "priority": 10,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    rule_id = made.json()["rule"]["id"]
    bad = admin.post(
        "/api/inbox/rules/new",
        json={"name": "危険", "field": "subject", "pattern": "(a+)+$", "skill": "x"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert "pattern" in bad.json()["fields"]
    changed = admin.put(
        f"/api/inbox/rules/{rule_id}",
        json={
            "name": "国保",
            "field": "subject",
            "pattern": "国保",
            "skill": "kokuho2",
            "priority": 5,
        },
        headers=headers,
    )
    assert changed.json()["rule"]["skill"] == "kokuho2"
    tried = admin.post("/api/inbox/rules/try", json={"subject": "国保の相談"}, headers=headers)
    assert tried.json() == {"skill": "kokuho2", "rule_id": rule_id, "rule": "国保"}
    assert admin.get("/api/inbox/rules").json()["rules"][0]["priority"] == 5
    assert admin.delete(f"/api/inbox/rules/{rule_id}", headers=headers).status_code == 200
    assert admin.get("/api/inbox/rules").json()["rules"] == []
    with web.ctx.db.session() as session:
        actions = [
            a.action
            for a in session.exec(
                select(AuditEntry).where(col(AuditEntry.action).like("inbox-sort-rule-%"))
            )
        ]
    assert actions == [
        "inbox-sort-rule-created",
        "inbox-sort-rule-changed",
        "inbox-sort-rule-deleted",
    ]
    operator, op_headers = _client(web, "op1")
    assert operator.get("/api/inbox/rules").status_code == 403
    refused = operator.post(
        "/api/inbox/rules/new",
        json={"name": "x", "field": "subject", "pattern": "x", "skill": "x"},
        headers=op_headers,
    )
    assert refused.status_code == 403


@pytest.mark.req("F-1.6.1", "F-1.6.3")
def test_templates_are_edited_by_administrators_and_listed_at_the_desk(web):
    admin, headers = _client(web, "admin1")
    made = admin.post(
        "/api/inbox/templates/new",
        json={"name": "受付確認", "subject": "", "body": "$name 様 $unknown", "purpose": "ack"},
        headers=headers,
    )
    assert made.status_code == 422
    made = admin.post(
        "/api/inbox/templates/new",
        json={
            "name": "受付確認",
            "subject": "",
            "body": "$name 様、受け付けました。",
            "purpose": "ack",
        },
        headers=headers,
    )
    assert made.status_code == 201
    operator, _ = _client(web, "op1")
    listed = operator.get("/api/inbox/templates").json()["templates"]
    assert [t["name"] for t in listed] == ["受付確認"]


def _stored_mail(web: Any) -> tuple[int, dict[str, str]]:
    """A received mail with a program and a picture attached, taken like the intake does."""
    raw = citizen_mail(
        30,
        attachments=[
            ("請求書.pdf.exe", "application/octet-stream", b"MZ" + b"\x00" * 100),
            ("地図.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ],
    )
    connector = connector_for(web.ctx)
    sha = hashlib.sha256(raw).hexdigest()
    file_id = keep_raw(connector.media, file_id="mail-public-1-1", raw=raw, sha256=sha)
    now = utcnow()
    taken = TakenMessage("public", 1, 1, now, file_id, sha, len(raw))
    with web.ctx.db.session() as session:
        outcome = record_message(
            session, taken=taken, result=triage(raw=raw, received_at=now), box=connector.box
        )
        connector.after_record(session, outcome)
    parts = {a.filename or "": a.part for a in parse_message(raw).attachments}
    return outcome.message_id, parts


@pytest.mark.req("N-SEC-5")
def test_attachments_open_only_after_a_clean_scan(web):
    message_id, parts = _stored_mail(web)
    operator, _ = _client(web, "op1")
    picture = operator.get(f"/api/inbox/messages/{message_id}/attachments/{parts['地図.png']}")
    assert picture.status_code == 200
    assert picture.content.startswith(b"\x89PNG")
    program = operator.get(
        f"/api/inbox/messages/{message_id}/attachments/{parts['請求書.pdf.exe']}"
    )
    assert program.status_code == 403
    assert program.json()["error"] == "file-quarantined"
    assert operator.get(f"/api/inbox/messages/{message_id}/attachments/9.9").status_code == 403


@pytest.mark.req("S-M1", "S-M2", "F-2.1.5")
def test_clock_counts_near_due_and_overdue_and_is_pushed_to_supervisors(web):
    now = utcnow()
    with web.ctx.db.session() as session:
        for hours_ago, kind in (
            (25, ItemKind.EMAIL),
            (30, ItemKind.FAX),
            (23, ItemKind.EMAIL),
            (1, ItemKind.FAX),
            (0, ItemKind.CALL),
        ):
            workqueue.enqueue(
                session, kind=kind, received_at=now - timedelta(hours=hours_ago), at=now
            )
        done = workqueue.enqueue(
            session, kind=ItemKind.EMAIL, received_at=now - timedelta(hours=40)
        )
        session.commit()
        workqueue.complete(
            session, item_id=done.id, agent="op1", result=workqueue.ItemResult.CANCELLED
        )
    supervisor, _ = _client(web, "sv1")
    clock = supervisor.get("/api/inbox/clock").json()
    assert (clock["open"], clock["near_due"], clock["overdue"]) == (4, 1, 2)
    assert clock["by_kind"]["email"] == {"open": 2, "near_due": 1, "overdue": 1}
    assert clock["by_kind"]["fax"] == {"open": 2, "near_due": 0, "overdue": 1}
    assert [i["overdue"] for i in clock["near_due_items"]] == [True, True, False]
    operator, _ = _client(web, "op1")
    assert operator.get("/api/inbox/clock").status_code == 403

    pushed: list[tuple[str, dict[str, Any], str]] = []
    original = web.ctx.hub.emit

    async def recording(name: str, data: Any, *, namespace: str, room: str | None = None) -> None:
        pushed.append((name, data, namespace))
        await original(name, data, namespace=namespace, room=room)

    web.ctx.hub.emit = recording
    status = asyncio.run(InboxWorker(web.ctx).tick())
    assert pushed == [("inbox.clock", status, "/supervisor")]
    assert status["overdue"] == 2


@pytest.mark.req("S-M1", "S-M2")
def test_reply_kpi_comes_from_the_contact_events(web):
    now = utcnow()
    events = [
        NewEvent(
            type=EventType.ITEM_REPLIED,
            occurred_at=now - timedelta(minutes=m),
            channel=Channel.EMAIL,
            payload={"within_24h": within},
        )
        for m, within in ((5, True), (6, True), (7, False))
    ]
    events.append(
        NewEvent(
            type=EventType.ITEM_FORWARDED,
            occurred_at=now,
            channel=Channel.FAX,
            payload={"destination": "D10"},
        )
    )
    with web.ctx.db.session() as session:
        append_many(session, events=events)
    supervisor, _ = _client(web, "sv1")
    kpi = supervisor.get("/api/inbox/kpi").json()
    assert (kpi["replied"], kpi["replied_within_24h"], kpi["forwarded"]) == (3, 2, 1)
    assert kpi["within_24h_rate"] == round(2 / 3, 4)
    assert json.loads(json.dumps(kpi))["from"] < kpi["to"]


@pytest.mark.req("S-M2")
def test_worker_runs_when_mail_can_flow_and_stays_out_otherwise(tmp_path):
    from inbox.clock.subsystem import wanted

    plain = make_app(make_settings(tmp_path / "a"))
    assert not wanted(plain.ctx)
    plain.ctx.extras["inbox_settings"] = inbox_config(smtp_host="127.0.0.1")
    assert wanted(plain.ctx)
    plain.ctx.extras["inbox_settings"] = inbox_config(smtp_host="127.0.0.1", inbox_worker=False)
    assert not wanted(plain.ctx)
    plain.ctx.db.dispose()
