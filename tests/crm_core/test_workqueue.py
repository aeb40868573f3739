"""The shared work queue (F-2.1.5): one model for calls, e-mails, faxes and call-backs, the same
skill rules, parking for calls, no double take, and call-back numbers that never outlive the
item (N-PRIV-1)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from cms import service as cms
from cms.events import EventType
from cms.models import ContactEvent
from crm.interactions import service as history
from crm.interactions.fields import parse_contact, parse_fields
from crm.interactions.models import Interaction
from crm.workqueue import service as queue
from crm.workqueue.exceptions import AgentOnCall, ItemChanged
from crm.workqueue.models import ItemKind, ItemResult, ItemState, WorkItem
from realtime.audit.models import AuditEntry
from realtime.auth.secretbox import SecretBox
from realtime.db import Database
from realtime.errors import ValidationFailed
from tests.crm_core.conftest import SECRET_DIGITS, SECRET_NUMBER

T0 = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
BOX = queue.number_box("test-secret-" + "y" * 40)


def _enqueue(db: Database, kind: ItemKind, *, skill: str | None = "general", **kw: Any) -> str:
    with db.session() as session:
        return queue.enqueue(session, kind=kind, skill=skill, at=T0, **kw).id


def _offer(db: Database, agent: str, *, skills: list[str], on_call: bool = False) -> Any:
    with db.session() as session:
        return queue.offer_next(
            session, agent=agent, skills=skills, agent_busy_on_call=on_call, at=T0
        )


def _take(db: Database, item_id: str, agent: str, **kw: Any) -> queue.WorkItemView:
    with db.session() as session:
        return queue.take(session, item_id=item_id, agent=agent, at=T0, **kw)


@pytest.mark.req("F-2.1.5", "S-M1")
def test_mail_and_fax_are_due_24_hours_after_arrival(db: Database) -> None:
    arrived = T0 - timedelta(hours=3)
    mail = _enqueue(db, ItemKind.EMAIL, received_at=arrived)
    fax = _enqueue(db, ItemKind.FAX, received_at=arrived, due_at=T0 + timedelta(days=9))
    with db.session() as session:
        for item_id in (mail, fax):
            item = queue.get_item(session, item_id=item_id)
            assert item.due_at == arrived + timedelta(hours=24)
            assert item.state == ItemState.QUEUED.value
        todo = queue.open_items(session, kinds=[ItemKind.EMAIL, ItemKind.FAX])
    assert {i.id for i in todo} == {mail, fax}


@pytest.mark.req("F-2.1.5")
def test_mail_is_offered_by_the_same_skill_rules_as_calls(db: Database) -> None:
    tax_mail = _enqueue(db, ItemKind.EMAIL, skill="tax")
    kokuho_fax = _enqueue(db, ItemKind.FAX, skill="kokuho")
    assert _offer(db, "a1", skills=["kokuho"]).id == kokuho_fax
    assert _offer(db, "a2", skills=["kokuho"]) is None  # the only kokuho item is reserved
    assert _offer(db, "a2", skills=["tax", "kokuho"]).id == tax_mail


@pytest.mark.req("F-2.1.5")
def test_calls_come_first_then_the_earliest_due(db: Database) -> None:
    late = _enqueue(db, ItemKind.EMAIL, received_at=T0 - timedelta(hours=1))
    early = _enqueue(db, ItemKind.EMAIL, received_at=T0 - timedelta(hours=20))
    call = _enqueue(db, ItemKind.CALL)
    assert _offer(db, "a1", skills=["general"]).id == call
    assert _offer(db, "a2", skills=["general"]).id == early
    assert _offer(db, "a3", skills=["general"]).id == late


@pytest.mark.req("F-2.1.5")
def test_an_agent_on_a_call_is_not_offered_mail(db: Database) -> None:
    _enqueue(db, ItemKind.EMAIL)
    assert _offer(db, "a1", skills=["general"], on_call=True) is None
    call = _enqueue(db, ItemKind.CALL)
    _take(db, call, "a2")
    assert _offer(db, "a2", skills=["general"]) is None  # the queue knows a2 is on a call
    mail = _offer(db, "a1", skills=["general"])
    assert mail is not None
    assert mail.kind == "email"
    with db.session() as session, pytest.raises(AgentOnCall):
        queue.take(session, item_id=mail.id, agent="a2")


@pytest.mark.req("F-2.1.5")
def test_accepting_a_call_parks_the_mail_being_worked_and_it_resumes_after(db: Database) -> None:
    mail = _enqueue(db, ItemKind.EMAIL)
    _take(db, mail, "a1")
    other_mail = _enqueue(db, ItemKind.FAX)
    call = _enqueue(db, ItemKind.CALL)
    offered = _offer(db, "a1", skills=["general"])
    assert offered.id == call  # while working mail, only calls are offered
    taken = _take(db, call, "a1")
    assert taken.state == ItemState.IN_PROGRESS.value
    with db.session() as session:
        assert queue.get_item(session, item_id=mail).state == ItemState.PARKED.value
        assert queue.get_item(session, item_id=other_mail).state == ItemState.QUEUED.value
        with pytest.raises(AgentOnCall):
            queue.resume(session, item_id=mail, agent="a1")
    with db.session() as session:
        queue.complete(session, item_id=call, agent="a1", result=ItemResult.HANDLED)
    with db.session() as session:
        resumed = queue.resume(session, item_id=mail, agent="a1")
    assert resumed.state == ItemState.IN_PROGRESS.value
    assert resumed.owner == "a1"


@pytest.mark.req("F-2.1.5")
def test_another_agent_cannot_take_an_item_offered_to_someone_else(db: Database) -> None:
    mail = _enqueue(db, ItemKind.EMAIL)
    assert _offer(db, "a1", skills=["general"]).id == mail
    with pytest.raises(ItemChanged):
        _take(db, mail, "a2")
    with db.session() as session:
        queue.release(session, item_id=mail, agent="a1")
    assert _take(db, mail, "a2").owner == "a2"


@pytest.mark.req("F-2.1.5")
def test_two_agents_racing_for_one_item_one_wins_and_one_is_told(db: Database) -> None:
    for _round in range(5):
        mail = _enqueue(db, ItemKind.EMAIL)
        with db.session() as session:
            version = queue.get_item(session, item_id=mail).version
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def worker(
            agent: str,
            item_id: str = mail,
            expected: int = version,
            barrier: threading.Barrier = barrier,
            outcomes: dict[str, str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                with db.session() as session:
                    queue.take(session, item_id=item_id, agent=agent, expected_version=expected)
                outcomes[agent] = "won"
            except ItemChanged:
                outcomes[agent] = "conflict"

        threads = [threading.Thread(target=worker, args=(a,)) for a in ("a1", "a2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(outcomes.values()) == ["conflict", "won"], outcomes
        winner = next(a for a, o in outcomes.items() if o == "won")
        with db.session() as session:
            item = queue.get_item(session, item_id=mail)
        assert item.owner == winner
        assert item.version == version + 1
        answered = [
            e for e in _events(db, item.contact_id) if e.type == EventType.CONTACT_ANSWERED.value
        ]
        assert [e.agent for e in answered] == [winner]


@pytest.mark.req("F-2.1.5")
def test_two_agents_asking_for_an_offer_at_once_get_different_items(db: Database) -> None:
    items = {_enqueue(db, ItemKind.EMAIL) for _ in range(2)}
    barrier = threading.Barrier(2)
    got: dict[str, str | None] = {}

    def worker(agent: str) -> None:
        barrier.wait()
        offered = _offer(db, agent, skills=["general"])
        got[agent] = offered.id if offered else None

    threads = [threading.Thread(target=worker, args=(a,)) for a in ("a1", "a2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert set(got.values()) == items


def _events(db: Database, contact_id: str) -> list[ContactEvent]:
    with db.session() as session:
        return list(cms.read(session, contact_id=contact_id))


@pytest.mark.req("F-2.1.5", "F-2.1.6", "S-M1")
def test_closing_mail_appends_replied_or_forwarded_to_the_contact_log(db: Database) -> None:
    on_time = _enqueue(db, ItemKind.EMAIL, received_at=T0)
    late = _enqueue(db, ItemKind.FAX, received_at=T0 - timedelta(hours=30))
    forwarded = _enqueue(db, ItemKind.EMAIL, received_at=T0)
    for item_id in (on_time, late, forwarded):
        _take(db, item_id, "a1")
        with db.session() as session:
            if item_id == forwarded:
                with pytest.raises(ValidationFailed):
                    queue.complete(
                        session, item_id=item_id, agent="a1", result=ItemResult.FORWARDED
                    )
                queue.complete(
                    session,
                    item_id=item_id,
                    agent="a1",
                    result=ItemResult.FORWARDED,
                    dept_id="D10",
                    at=T0 + timedelta(hours=2),
                )
            else:
                queue.complete(
                    session,
                    item_id=item_id,
                    agent="a1",
                    result=ItemResult.REPLIED,
                    at=T0 + timedelta(hours=2),
                )

    def closing(item_id: str) -> tuple[str, dict[str, Any]]:
        with db.session() as session:
            contact = queue.get_item(session, item_id=item_id).contact_id
        last = _events(db, contact)[-1]
        return last.type, json.loads(last.payload)

    assert closing(on_time) == (EventType.ITEM_REPLIED.value, {"within_24h": True})
    assert closing(late) == (EventType.ITEM_REPLIED.value, {"within_24h": False})
    assert closing(forwarded) == (EventType.ITEM_FORWARDED.value, {"destination": "D10"})


@pytest.mark.req("F-2.1.5", "N-PRIV-1", "N-SEC-3")
def test_a_callback_number_is_sealed_shown_only_to_its_agent_and_erased_on_close(
    db: Database,
) -> None:
    contact_id = str(uuid.uuid4())
    with db.session() as session:
        item = queue.request_callback(
            session, number=SECRET_NUMBER, box=BOX, contact_id=contact_id, agent="a1", at=T0
        )
    with db.session() as session:
        row = session.get(WorkItem, item.id)
        assert row is not None
        assert row.callback_number_enc is not None
        assert SECRET_DIGITS not in row.callback_number_enc
        assert BOX.open(row.callback_number_enc) == SECRET_DIGITS
        other_box = SecretBox("test-secret-" + "y" * 40, purpose="totp-secret")
        with pytest.raises(Exception):  # noqa: B017,PT011 - any purpose but its own fails
            other_box.open(row.callback_number_enc)
    _take(db, item.id, "a1")
    with db.session() as session, pytest.raises(ItemChanged):
        queue.callback_number(session, item_id=item.id, agent="a2", box=BOX)
    with db.session() as session:
        assert queue.callback_number(session, item_id=item.id, agent="a1", box=BOX) == SECRET_DIGITS
    body = {
        "contact_id": contact_id,
        "work_type": "inquiry",
        "category1": "国民健康保険",
        "answer": "国保の加入について折り返しを手配しました。",
        "outcome": "callback",
    }
    with db.session() as session:
        history.save_history(
            session, contact=parse_contact(body), fields=parse_fields(body), agent="a1"
        )
    with db.session() as session:
        done = queue.complete(session, item_id=item.id, agent="a1", result=ItemResult.REACHED)
    assert done.has_number is False
    with db.session() as session:
        row = session.get(WorkItem, item.id)
        assert row is not None
        assert row.callback_number_enc is None
        with pytest.raises(ItemChanged):
            queue.callback_number(session, item_id=item.id, agent="a1", box=BOX)
        stored_history = [
            json.dumps(r.model_dump(mode="json"), ensure_ascii=False)
            for r in session.exec(select(Interaction))
        ]
        events = [
            json.dumps(e.model_dump(mode="json"), ensure_ascii=False)
            for e in session.exec(select(ContactEvent))
        ]
        audits = [e.detail + e.target for e in session.exec(select(AuditEntry))]
    types = [json.loads(e)["type"] for e in events]
    assert EventType.CALLBACK_REQUESTED.value in types
    assert EventType.CALLBACK_COMPLETED.value in types
    for text in stored_history + events + audits:
        for needle in (SECRET_DIGITS, SECRET_NUMBER, "1234-5678"):
            assert needle not in text


@pytest.mark.req("F-2.1.5")
@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("090-1234-5678", "09012345678"),
        ("０３（３９８１）１１１１", "0339811111"),
        ("+81-90-1234-5678", "09012345678"),
        ("0800-123-4567", "08001234567"),
        ("0120 123 456", "0120123456"),
    ],
)
def test_callback_numbers_are_kept_as_digits(raw: str, digits: str) -> None:
    assert queue.normalise_number(raw) == digits


@pytest.mark.req("F-2.1.5", "N-PRIV-1")
def test_a_cancelled_queued_callback_loses_its_number_too(db: Database) -> None:
    with db.session() as session:
        item = queue.request_callback(session, number="０３－３９８１－１１１１", box=BOX, at=T0)
    with db.session() as session:
        queue.complete(session, item_id=item.id, agent="sv", result=ItemResult.CANCELLED)
    with db.session() as session:
        row = session.get(WorkItem, item.id)
    assert row is not None
    assert row.callback_number_enc is None
    assert row.result == "cancelled"


@pytest.mark.req("F-2.1.5")
@pytest.mark.parametrize(
    "number", ["12345", "090-1234-567", "03-3981-11112", "電話番号なし", "+1-555-123-4567"]
)
def test_a_callback_without_a_usable_number_is_refused_without_echoing_it(
    db: Database, number: str
) -> None:
    with db.session() as session, pytest.raises(ValidationFailed) as info:
        queue.request_callback(session, number=number, box=BOX, at=T0)
    assert "number" in info.value.fields
    assert number not in str(info.value)
    assert number not in json.dumps(info.value.public())


@pytest.mark.req("F-2.1.5", "N-SEC-1")
def test_the_work_queue_api_for_agents(web: Any, agent: tuple[TestClient, str]) -> None:
    client, token = agent
    headers = {"X-CSRF-Token": token}
    made = client.post(
        "/api/crm/workqueue/callbacks", json={"number": SECRET_NUMBER}, headers=headers
    )
    assert made.status_code == 201
    item = made.json()["item"]
    assert item["has_number"] is True
    assert SECRET_DIGITS not in made.text
    offered = client.post("/api/crm/workqueue/offer", json={"skills": []}, headers=headers)
    assert offered.json()["item"]["id"] == item["id"]
    taken = client.post(
        f"/api/crm/workqueue/{item['id']}/take",
        json={"version": offered.json()["item"]["version"]},
        headers=headers,
    )
    assert taken.status_code == 200
    assert taken.json()["item"]["state"] == "in_progress"
    shown = client.get(f"/api/crm/workqueue/{item['id']}/number")
    assert shown.json() == {"number": SECRET_DIGITS}
    assert shown.headers["cache-control"] == "no-store"
    wrong = client.post(
        f"/api/crm/workqueue/{item['id']}/complete", json={"result": "replied"}, headers=headers
    )
    assert wrong.status_code == 422
    assert "result" in wrong.json()["fields"]
    closed = client.post(
        f"/api/crm/workqueue/{item['id']}/complete", json={"result": "unreached"}, headers=headers
    )
    assert closed.json()["item"]["has_number"] is False
    assert client.get(f"/api/crm/workqueue/{item['id']}/number").status_code == 409
    assert client.post("/api/crm/workqueue/nobody/take", headers=headers).status_code == 404
    assert client.get("/api/crm/workqueue").json() == {"items": []}
