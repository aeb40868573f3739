"""Interaction history (F-2.1.4, N-PRIV-1): saved at wrap-up, refused with personal data,
versioned and audited on edit, searched read-only by the city."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select
from starlette.testclient import TestClient

from cms import service as cms
from cms.events import Channel, EventType
from cms.models import ContactEvent
from cms.service import NewEvent
from crm.faq.models import FaqUsage
from crm.interactions import service as history
from crm.interactions.exceptions import (
    HistoryAlreadySaved,
    PersonalDataInHistory,
    StaleVersion,
)
from crm.interactions.fields import parse_contact, parse_fields
from crm.interactions.models import Interaction, InteractionVersion
from realtime.audit.models import AuditEntry
from realtime.db import Database
from realtime.errors import ValidationFailed
from tests.crm_core.conftest import CLEAN_ANSWER, PERSONAL_ANSWER

T0 = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


def _body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_id": str(uuid.uuid4()),
        "channel": "call",
        "line": "0339811111",
        "menu": "1",
        "work_type": "inquiry",
        "category1": "住民票・印鑑登録",
        "category2": "住民票",
        "section": "D02",
        "faq_ids": ["F0001"],
        "answer": CLEAN_ANSWER,
        "outcome": "answered",
    }
    body.update(extra)
    return body


def _save(db: Database, *, at: datetime = T0, **extra: Any) -> history.WrapupDone:
    body = _body(**extra)
    with db.session() as session:
        return history.save_history(
            session,
            contact=parse_contact(body),
            fields=parse_fields(body),
            agent="op1",
            at=at,
        )


def _count(db: Database, model: Any) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _events(db: Database, contact_id: str) -> list[ContactEvent]:
    with db.session() as session:
        return list(cms.read(session, contact_id=contact_id))


@pytest.mark.req("F-2.1.4", "F-2.1.6")
def test_saving_history_ends_wrapup_with_the_seconds_since_hang_up(db: Database) -> None:
    contact_id = str(uuid.uuid4())
    hung_up = T0 - timedelta(seconds=42)
    with db.session() as session:
        cms.append(
            session,
            event=NewEvent(
                type=EventType.CONTACT_ENDED,
                occurred_at=hung_up,
                contact_id=contact_id,
                channel=Channel.CALL,
                line="0339811111",
                payload={"by": "caller", "talk_s": 95.0},
            ),
        )
    done = _save(db, contact_id=contact_id, line="0345662466")
    assert done.contact_id == contact_id
    assert done.wrapup_s == pytest.approx(42.0)
    events = _events(db, contact_id)
    wrapup = [e for e in events if e.type == EventType.WRAPUP_ENDED.value]
    assert len(wrapup) == 1
    assert wrapup[0].agent == "op1"
    # The KPIs count work types, first-contact resolution and sections from this event alone.
    assert json.loads(wrapup[0].payload) == {
        "wrapup_s": 42.0,
        "forced": False,
        "work_type": "inquiry",
        "resolution": "in_center",
        "section": "D02",
        "category": "住民票・印鑑登録",
    }
    assert [json.loads(e.payload) for e in events if e.type == EventType.FAQ_USED.value] == [
        {"faq_id": "F0001"}
    ]
    with db.session() as session:
        saved = history.get_history(session, interaction_id=done.interaction_id)
        usage = session.get(FaqUsage, "F0001")
    # The contact log, not the desk, says which line the contact came in on.
    assert saved.line == "0339811111"
    assert saved.ended_at == hung_up
    assert saved.faq_ids == ["F0001"]
    assert usage is not None
    assert usage.cited == 1


@pytest.mark.req("F-2.1.4", "N-PRIV-1")
def test_history_with_personal_data_is_refused_per_field_and_nothing_is_saved(
    db: Database,
) -> None:
    contact_id = str(uuid.uuid4())
    with pytest.raises(PersonalDataInHistory) as info:
        _save(db, contact_id=contact_id, answer=PERSONAL_ANSWER)
    public = info.value.public()
    assert public["error"] == "personal-data-found"
    assert set(public["fields"]) == {"answer"}
    for label in ("氏名", "電話・FAX番号", "メールアドレス", "住所"):
        assert label in public["fields"]["answer"]
    spans = public["findings"]["answer"]
    assert {s["type"] for s in spans} == {"name", "phone", "email", "address"}
    for span in spans:
        assert 0 <= int(span["start"]) < int(span["end"]) <= len(PERSONAL_ANSWER)
    body = json.dumps(public, ensure_ascii=False)
    assert "090-1234-5678" not in body
    assert "taro@example.jp" not in body
    assert "山田" not in body
    assert str(info.value).find("090") == -1
    assert _count(db, Interaction) == 0
    assert _count(db, InteractionVersion) == 0
    assert _events(db, contact_id) == []


@pytest.mark.req("F-2.1.4", "N-PRIV-1")
def test_an_edit_that_adds_personal_data_is_refused_and_the_record_is_unchanged(
    db: Database,
) -> None:
    done = _save(db)
    audits_before = _count(db, AuditEntry)
    with db.session() as session, pytest.raises(PersonalDataInHistory):
        history.edit_history(
            session,
            interaction_id=done.interaction_id,
            changes={"answer": CLEAN_ANSWER + " 連絡先 03-3981-1111 内線なし taro@example.jp"},
            expected_version=1,
            actor="op1",
        )
    with db.session() as session:
        current = history.get_history(session, interaction_id=done.interaction_id)
        assert current.version == 1
        assert current.answer == CLEAN_ANSWER
        assert len(history.versions(session, interaction_id=done.interaction_id)) == 1
    assert _count(db, AuditEntry) == audits_before


@pytest.mark.req("F-2.1.4", "N-SEC-2")
def test_an_edit_is_a_new_version_and_an_audit_entry_without_the_text(db: Database) -> None:
    done = _save(db)
    new_answer = "国保の加入は国保年金課資格係へ引き継ぎました。"
    with db.session() as session:
        view = history.edit_history(
            session,
            interaction_id=done.interaction_id,
            changes={
                "answer": new_answer,
                "outcome": "handoff",
                "handoff_dept": "D10",
                "category1": "国民健康保険",
                "category2": "加入・脱退",
                "faq_ids": ["F0061", "F0001"],
            },
            expected_version=1,
            actor="sv1",
            reason="分類の誤りを訂正",
        )
    assert view.version == 2
    assert view.outcome == "handoff"
    assert view.handoff_dept == "D10"
    assert view.faq_ids == ["F0001", "F0061"]
    with db.session() as session:
        kept = history.versions(session, interaction_id=done.interaction_id)
        entry = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "interaction-edited")
        ).one()
    assert [(v.version, v.saved_by) for v in kept] == [(1, "op1"), (2, "sv1")]
    assert kept[0].fields["answer"] == CLEAN_ANSWER
    assert kept[1].fields["answer"] == new_answer
    assert kept[1].reason == "分類の誤りを訂正"
    assert entry.actor == "sv1"
    assert entry.target == done.interaction_id
    detail = json.loads(entry.detail)
    assert detail["version"] == 2
    assert "answer" in detail["fields"]
    assert "handoff_dept" in detail["fields"]
    assert new_answer not in entry.detail
    assert CLEAN_ANSWER not in entry.detail


@pytest.mark.req("F-2.1.4")
def test_an_edit_from_a_stale_version_is_refused(db: Database) -> None:
    done = _save(db)
    with db.session() as session:
        history.edit_history(
            session,
            interaction_id=done.interaction_id,
            changes={"answer": "証明係の窓口時間をご案内しました。"},
            expected_version=1,
            actor="op1",
        )
    with db.session() as session, pytest.raises(StaleVersion):
        history.edit_history(
            session,
            interaction_id=done.interaction_id,
            changes={"answer": "別の内容"},
            expected_version=1,
            actor="op2",
        )


@pytest.mark.req("F-2.1.4")
def test_a_second_save_for_the_same_contact_is_refused(db: Database) -> None:
    done = _save(db)
    with pytest.raises(HistoryAlreadySaved):
        _save(db, contact_id=done.contact_id)
    assert _count(db, Interaction) == 1


@pytest.mark.req("F-2.1.4")
@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"outcome": "handoff"}, "handoff_dept"),
        ({"outcome": "handoff", "handoff_dept": "D99"}, "handoff_dept"),
        ({"outcome": "answered", "handoff_dept": "D10"}, "handoff_dept"),
        ({"category1": "存在しない分類"}, "category1"),
        ({"category2": "存在しない中分類"}, "category2"),
        ({"faq_ids": ["F9999"]}, "faq_ids"),
        ({"work_type": "sales"}, "work_type"),
        ({"answer": ""}, "answer"),
        ({"started_at": "2026-04-01 09:00"}, "started_at"),
    ],
)
def test_wrong_fields_are_named_in_japanese_and_nothing_is_saved(
    db: Database, extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        _save(db, **extra)
    assert field in info.value.fields
    assert any("\u3040" <= ch <= "\u9fff" for ch in info.value.fields[field])
    assert _count(db, Interaction) == 0


@pytest.mark.req("F-2.1.4", "R-ITEMS")
def test_search_filters_by_every_criterion_and_pages(db: Database) -> None:
    for n in range(5):
        _save(db, at=T0 + timedelta(minutes=n))
    handed = _save(
        db,
        at=T0 + timedelta(days=1),
        outcome="handoff",
        handoff_dept="D10",
        work_type="switchboard",
        category1="国民健康保険",
        category2="加入・脱退",
        section="D10",
        answer="加入手続きは資格係へ引継ぎ（100%対応）",
        line="0345662466",
        menu="3",
    )
    with db.session() as session:

        def find(**criteria: Any) -> list[str]:
            page = history.search_history(
                session, criteria=history.HistoryFilter(**criteria), per_page=100
            )
            return [i.id for i in page.items]

        assert find(outcome="handoff") == [handed.interaction_id]
        assert find(handoff_dept="D10") == [handed.interaction_id]
        assert find(work_type="switchboard") == [handed.interaction_id]
        assert find(section="D10") == [handed.interaction_id]
        assert find(category1="国民健康保険") == [handed.interaction_id]
        assert find(line="0345662466", menu="3") == [handed.interaction_id]
        assert find(text="100%") == [handed.interaction_id]
        assert find(text="資格係") == [handed.interaction_id]
        assert len(find(text="証明係")) == 5
        assert len(find(start=T0, end=T0 + timedelta(days=1))) == 5
        assert find(start=T0 + timedelta(days=1)) == [handed.interaction_id]
        first = history.search_history(
            session, criteria=history.HistoryFilter(), page=1, per_page=4
        )
        second = history.search_history(
            session, criteria=history.HistoryFilter(), page=2, per_page=4
        )
    assert first.total == 6
    assert len(first.items) == 4
    assert len(second.items) == 2
    assert first.items[0].id == handed.interaction_id  # newest first
    assert not {i.id for i in first.items} & {i.id for i in second.items}


# --- through the API --------------------------------------------------------------------------


def _post(client: TestClient, token: str, path: str, body: Any) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": token})


@pytest.mark.req("F-2.1.4", "N-PRIV-1")
def test_the_api_refuses_personal_data_with_422_offsets_and_no_echo(
    web: Any, agent: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, token = agent
    response = _post(client, token, "/api/crm/interactions", _body(answer=PERSONAL_ANSWER))
    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "personal-data-found"
    assert "保存できません" in data["message"]
    assert {s["type"] for s in data["findings"]["answer"]} == {"name", "phone", "email", "address"}
    assert "090-1234-5678" not in response.text
    assert "taro@example.jp" not in response.text
    assert "090-1234-5678" not in caplog.text
    with web.ctx.db.session() as session:
        assert session.exec(select(func.count()).select_from(Interaction)).one() == 0
        details = " ".join(e.detail for e in session.exec(select(AuditEntry)))
    assert "090-1234-5678" not in details
    assert "taro@example.jp" not in details


@pytest.mark.req("F-2.1.4", "N-SEC-1")
def test_agents_save_and_edit_through_the_api_and_city_staff_only_read(
    web: Any, agent: tuple[TestClient, str], city: tuple[TestClient, str]
) -> None:
    op, op_token = agent
    saved = _post(op, op_token, "/api/crm/interactions", _body())
    assert saved.status_code == 201, saved.text
    assert saved.json()["wrapup_ended"] is True
    iid = saved.json()["interaction_id"]
    edited = op.put(
        f"/api/crm/interactions/{iid}",
        json={"version": 1, "changes": {"answer": "証明係の受付時間をご案内しました。"}},
        headers={"X-CSRF-Token": op_token},
    )
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    stale = op.put(
        f"/api/crm/interactions/{iid}",
        json={"version": 1, "changes": {"answer": "x"}},
        headers={"X-CSRF-Token": op_token},
    )
    assert stale.status_code == 409

    staff, staff_token = city
    found = staff.get("/api/crm/interactions", params={"q": "受付時間", "work_type": "inquiry"})
    assert found.status_code == 200
    assert [i["id"] for i in found.json()["items"]] == [iid]
    assert staff.get(f"/api/crm/interactions/{iid}").json()["version"] == 2
    assert len(staff.get(f"/api/crm/interactions/{iid}/versions").json()["versions"]) == 2
    for method, path in (
        ("POST", "/api/crm/interactions"),
        ("PUT", f"/api/crm/interactions/{iid}"),
    ):
        refused = staff.request(
            method,
            path,
            json={"version": 2, "changes": {"answer": "改ざん"}, **_body()},
            headers={"X-CSRF-Token": staff_token},
        )
        assert refused.status_code == 403
        assert refused.json()["error"] == "permission-denied"
    assert staff.get(f"/api/crm/interactions/{iid}").json()["answer"].startswith("証明係")
    assert op.get("/api/crm/interactions/nobody").status_code == 404
    bad = staff.get("/api/crm/interactions", params={"from": "2026-13-01"})
    assert bad.status_code == 422
    assert "from" in bad.json()["fields"]


@pytest.mark.req("F-2.1.4")
def test_two_racing_edits_of_one_version_keep_one_and_refuse_the_other(db: Database) -> None:
    done = _save(db)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(actor: str) -> None:
        barrier.wait()
        try:
            with db.session() as session:
                history.edit_history(
                    session,
                    interaction_id=done.interaction_id,
                    changes={"answer": f"{actor}が窓口時間をご案内しました。"},
                    expected_version=1,
                    actor=actor,
                )
            outcomes[actor] = "saved"
        except StaleVersion:
            outcomes[actor] = "stale"

    threads = [threading.Thread(target=edit, args=(a,)) for a in ("op1", "op2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["saved", "stale"], outcomes
    winner = next(a for a, o in outcomes.items() if o == "saved")
    with db.session() as session:
        kept = history.versions(session, interaction_id=done.interaction_id)
    assert [v.saved_by for v in kept] == ["op1", winner]
    assert kept[-1].fields["answer"].startswith(winner)
