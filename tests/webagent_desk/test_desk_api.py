"""The desk's JSON routes and the city page without a browser: FAQ drill-down, search and most
referenced, departments, the live personal-data scan, the queue strip, the SIP account, and
who may open /desk and /city."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from cms import service as cms
from cms.events import Channel, EventType
from cms.service import NewEvent
from realtime.auth.permissions import Role
from tests.crm_core.conftest import seed
from tests.support.app import add_user, make_app, make_settings, signin
from webagent.queuestrip import queue_strip


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Any]:
    app = make_app(
        make_settings(
            tmp_path,
            sip_wss_url="wss://pbx.example.jp:7443",
            agent_sip_password="sip-secret-for-tests",
            sip_extensions="op1=1001, op9=1009",
        )
    )
    seed(app.ctx.db)
    add_user(app, "op1", Role.OPERATOR)
    add_user(app, "op2", Role.OPERATOR)
    add_user(app, "city1", Role.CITY_STAFF)
    add_user(app, "sched", Role.SCHEDULER)
    yield app
    app.ctx.db.dispose()


def _client(app: Any, user: str) -> tuple[TestClient, str]:
    client = TestClient(app, base_url="http://testserver")
    return client, signin(client, user)


@pytest.mark.req("F-2.1.3")
def test_faq_drill_down_search_and_most_referenced(web: Any) -> None:
    client, csrf = _client(web, "op1")
    tree = client.get("/api/crm/faq/categories").json()["categories"]
    first = tree[0]
    assert first["name"] == "住民票・印鑑登録"
    assert first["count"] == 2
    assert {c["name"] for c in first["children"]} == {"住民票", "コンビニ交付"}
    entries = client.get(
        "/api/crm/faq/entries", params={"category1": first["name"], "category2": "住民票"}
    ).json()["items"]
    assert [e["faq_id"] for e in entries] == ["F0001"]
    assert "answer" not in entries[0]
    hits = client.get("/api/crm/faq/search", params={"q": "国保 加入"}).json()["items"]
    assert hits[0]["faq_id"] == "F0061"
    detail = client.get("/api/crm/faq/entries/F0061").json()
    assert detail["answer"] == "資格係で手続きします。"
    assert detail["needs_handoff"] is True
    assert client.get("/api/crm/faq/popular").json()["items"] == []
    headers = {"X-CSRF-Token": csrf}
    for _ in range(2):
        ok = client.post("/api/crm/faq/entries/F0004/opened", json={}, headers=headers)
        assert ok.status_code == 200
    client.post("/api/crm/faq/entries/F0061/opened", json={}, headers=headers)
    popular = client.get("/api/crm/faq/popular").json()["items"]
    assert [(p["faq_id"], p["uses"]) for p in popular] == [("F0004", 2), ("F0061", 1)]


@pytest.mark.req("F-2.1.3")
def test_faq_routes_refuse_wrong_values_with_field_messages(web: Any) -> None:
    client, csrf = _client(web, "op1")
    empty = client.get("/api/crm/faq/search", params={"q": " "})
    assert empty.status_code == 422
    assert empty.json()["fields"]["q"] == "検索語を入力してください。"
    long = client.get("/api/crm/faq/search", params={"q": "あ" * 201})
    assert long.status_code == 422
    assert "200文字" in long.json()["fields"]["q"]
    bad_limit = client.get("/api/crm/faq/popular", params={"limit": "0"})
    assert bad_limit.status_code == 422
    assert "limit" in bad_limit.json()["fields"]
    assert client.get("/api/crm/faq/entries").status_code == 422
    assert client.get("/api/crm/faq/entries/F9999").status_code == 404
    missing = client.post(
        "/api/crm/faq/entries/F9999/opened", json={}, headers={"X-CSRF-Token": csrf}
    )
    assert missing.status_code == 404


@pytest.mark.req("F-2.1.4", "N-PRIV-1")
def test_pii_scan_returns_each_finding_with_offsets_and_japanese_label(web: Any) -> None:
    client, csrf = _client(web, "op1")
    text = "折り返し先は 090-1234-5678、メールは taro@example.jp です。"
    found = client.post(
        "/api/crm/pii/scan", json={"fields": {"answer": text}}, headers={"X-CSRF-Token": csrf}
    ).json()
    assert found["clean"] is False
    spans = {
        (f["type"], text[f["start"] : f["end"]], f["label"]) for f in found["findings"]["answer"]
    }
    assert ("phone", "090-1234-5678", "電話・FAX番号") in spans
    assert ("email", "taro@example.jp", "メールアドレス") in spans
    clean = client.post(
        "/api/crm/pii/scan",
        json={"fields": {"answer": "住民票の写しは証明係でご案内しました。"}},
        headers={"X-CSRF-Token": csrf},
    ).json()
    assert clean == {"clean": True, "findings": {}}
    wrong = client.post(
        "/api/crm/pii/scan", json={"fields": {"answer": 5}}, headers={"X-CSRF-Token": csrf}
    )
    assert wrong.status_code == 422
    assert wrong.json()["fields"]["answer"] == "文字列で指定してください。"
    assert client.post("/api/crm/pii/scan", json={"fields": {"answer": "x"}}).status_code == 403


@pytest.mark.req("F-2.1.4")
def test_departments_directory_filters_by_every_word(web: Any) -> None:
    client, _ = _client(web, "op1")
    every = client.get("/api/crm/departments").json()["items"]
    assert [d["dept_id"] for d in every] == ["D01", "D02", "D10"]
    found = client.get("/api/crm/departments", params={"q": "区民課 印鑑"}).json()["items"]
    assert [(d["dept_id"], d["label"], d["extension"]) for d in found] == [
        ("D02", "区民課 証明係", "2102")
    ]


def _event(kind: EventType, contact: str, at: datetime, **payload: Any) -> NewEvent:
    return NewEvent(
        type=kind,
        occurred_at=at,
        contact_id=contact,
        channel=Channel.CALL,
        line="0339811111",
        payload=payload,
        event_id=str(uuid.uuid4()),
    )


@pytest.mark.req("F-2.1.3", "N-USE-1")
def test_queue_strip_counts_waiting_longest_wait_and_service_level(web: Any) -> None:
    now = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 12:00 in Japan
    t = now - timedelta(minutes=30)
    events = [
        _event(EventType.QUEUE_JOINED, "a", t),
        _event(EventType.CONTACT_ANSWERED, "a", t + timedelta(seconds=10), speed_of_answer_s=10),
        _event(EventType.QUEUE_JOINED, "b", t),
        _event(EventType.CONTACT_ANSWERED, "b", t + timedelta(seconds=40), speed_of_answer_s=40),
        _event(EventType.QUEUE_JOINED, "c", t),
        _event(
            EventType.CONTACT_ABANDONED, "c", t + timedelta(seconds=5), stage="queue", waited_s=5
        ),
        _event(EventType.QUEUE_JOINED, "d", now - timedelta(seconds=95)),
        _event(EventType.QUEUE_JOINED, "e", now - timedelta(seconds=20)),
        _event(EventType.QUEUE_JOINED, "old", now - timedelta(days=1)),
    ]
    with web.ctx.db.session() as session:
        cms.append_many(session, events=events)
        session.commit()
        strip = queue_strip(session, now=now)
    assert (strip.waiting, strip.offered, strip.answered_in_time) == (2, 3, 1)
    assert strip.longest_wait_s == pytest.approx(95.0)
    assert strip.service_level == pytest.approx(100 / 3)
    with web.ctx.db.session() as session:
        empty = queue_strip(session, now=now + timedelta(days=2))
    assert empty.service_level is None
    assert empty.waiting == 0
    client, _ = _client(web, "op1")
    body = client.get("/api/desk/queue").json()
    assert set(body) >= {"waiting", "longest_wait_s", "service_level", "threshold_s"}


@pytest.mark.req("N-SEC-1")
def test_sip_config_gives_only_the_agents_own_account_and_is_not_cached(web: Any) -> None:
    client, _ = _client(web, "op1")
    response = client.get("/api/agent/sip-config")
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "configured": True,
        "ws_url": "wss://pbx.example.jp:7443",
        "uri": "sip:1001@madoguchi.local",
        "authorization_user": "1001",
        "password": "sip-secret-for-tests",
    }
    other, _ = _client(web, "op2")
    assert other.get("/api/agent/sip-config").json() == {"configured": False}
    city, _ = _client(web, "city1")
    assert city.get("/api/agent/sip-config").status_code == 403


def _has_route(web: Any, path: str) -> bool:
    from starlette.routing import Match

    scope = {"type": "http", "path": path, "method": "POST", "root_path": ""}
    inner = getattr(web, "other_asgi_app", web)  # the Starlette app inside Socket.IO's
    return any(r.matches(scope)[0] is Match.FULL for r in inner.routes)


@pytest.mark.req("N-USE-1")
def test_desk_enables_call_path_controls_exactly_when_their_routes_exist(web: Any) -> None:
    client, _ = _client(web, "op1")
    page = client.get("/desk")
    assert page.status_code == 200
    assert _has_route(web, "/api/callpath/agent/state")
    assert 'data-state-enabled="true"' in page.text
    assert "受付状態の切替えはまだ使えません" not in page.text
    transfer = _has_route(web, "/api/agent/transfer")
    assert ('data-transfer-enabled="true"' in page.text) is transfer
    assert ("転送はまだ使えません" in page.text) is not transfer
    assert 'data-user="op1"' in page.text
    assert "区民課 証明係" in page.text


@pytest.mark.req("F-2.1.4")
def test_who_may_open_desk_and_city(web: Any) -> None:
    city, _ = _client(web, "city1")
    assert city.get("/desk").status_code == 403
    page = city.get("/city")
    assert page.status_code == 200
    assert "報告・集計" in page.text
    operator, _ = _client(web, "op1")
    page = operator.get("/city")
    assert page.status_code == 200
    assert "報告・集計" not in page.text
    scheduler, _ = _client(web, "sched")
    assert scheduler.get("/city").status_code == 403


@pytest.mark.req("F-2.1.4")
def test_city_search_finds_saved_history_and_names_wrong_fields(web: Any) -> None:
    agent, csrf = _client(web, "op1")
    saved = agent.post(
        "/api/crm/interactions",
        json={
            "contact_id": "c-city-1",
            "work_type": "inquiry",
            "outcome": "handoff",
            "handoff_dept": "D10",
            "answer": "国保の加入手続きについて資格係へ引き継ぎました。",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert saved.status_code == 201, saved.text
    city, _ = _client(web, "city1")
    found = city.get("/city", params={"searched": "1", "q": "国保"})
    assert found.status_code == 200
    assert "国保の加入手続きについて" in found.text
    assert "1件" in found.text
    assert "国保年金課 資格係" in found.text
    none = city.get("/city", params={"searched": "1", "q": "粗大ごみ"})
    assert "0件" in none.text
    handoffs = city.get("/city", params={"view": "handoffs"})
    assert "引継ぎ先ごとの件数" in handoffs.text
    assert "国保年金課 資格係" in handoffs.text
    wrong = city.get("/city", params={"searched": "1", "from": "2026-13-01", "outcome": "nonsense"})
    assert wrong.status_code == 422
    assert "日付は YYYY-MM-DD 形式で入力してください。" in wrong.text
    assert 'id="f-outcome-error"' in wrong.text
