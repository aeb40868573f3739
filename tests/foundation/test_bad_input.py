"""Bad input: a clear Japanese message, the right 4xx, an audit entry, nothing else changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, func, select
from starlette.testclient import TestClient

from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from realtime.hub.announcements import Announcement
from tests.support.app import add_user, signin


def _rejections(app: Any) -> list[str]:
    with app.ctx.db.session() as session:
        rows = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "request-rejected"))
        return [r.detail for r in rows]


def _announcements(app: Any) -> int:
    with app.ctx.db.session() as session:
        return int(session.exec(select(func.count()).select_from(Announcement)).one())


@pytest.fixture
def leader(app: Any, client: TestClient) -> str:
    add_user(app, "leader", Role.LEADER)
    return signin(client, "leader")


@pytest.mark.req("N-SEC-1", "N-SEC-2", "N-SEC-6")
def test_a_forged_csrf_token_is_refused_audited_and_changes_nothing(
    app: Any, client: TestClient, leader: str
) -> None:
    response = client.post(
        "/api/announcements", json={"text": "x"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert response.status_code == 403
    assert response.json() == {"error": "csrf-failed", "message": response.json()["message"]}
    assert "再読み込み" in response.json()["message"]
    assert any("csrf-failed" in d for d in _rejections(app))
    assert _announcements(app) == 0


@pytest.mark.req("N-SEC-1")
def test_a_post_without_any_csrf_token_is_refused(client: TestClient, leader: str) -> None:
    assert client.post("/api/announcements", json={"text": "x"}).status_code == 403


@pytest.mark.req("N-SEC-1")
def test_a_cross_site_origin_is_refused_even_with_a_token(client: TestClient, leader: str) -> None:
    response = client.post(
        "/api/announcements",
        json={"text": "x"},
        headers={"X-CSRF-Token": leader, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf-failed"


@pytest.mark.req("N-SEC-1")
def test_the_sign_in_form_itself_needs_the_csrf_token(client: TestClient) -> None:
    response = client.post("/signin", data={"username": "a", "password": "b"})
    assert response.status_code == 403


@pytest.mark.req("N-SEC-6")
def test_malformed_json_gets_a_clear_400(app: Any, client: TestClient, leader: str) -> None:
    response = client.post(
        "/api/announcements",
        content=b"{not json",
        headers={"X-CSRF-Token": leader, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed-json"
    assert any("malformed-json" in d for d in _rejections(app))
    assert _announcements(app) == 0


@pytest.mark.req("N-SEC-6")
def test_an_oversized_body_gets_413_and_is_not_stored(
    app: Any, client: TestClient, leader: str
) -> None:
    big = "あ" * (app.ctx.settings.max_body_bytes // 2)
    response = client.post(
        "/api/announcements", json={"text": big}, headers={"X-CSRF-Token": leader}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request-too-large"
    assert _announcements(app) == 0


@pytest.mark.req("N-USE-1")
def test_an_empty_notice_gets_a_field_level_japanese_message(
    client: TestClient, leader: str
) -> None:
    response = client.post(
        "/api/announcements", json={"text": "  "}, headers={"X-CSRF-Token": leader}
    )
    assert response.status_code == 422
    assert response.json()["fields"]["text"] == "お知らせの本文を入力してください。"


@pytest.mark.req("N-SEC-6")
def test_unknown_pages_and_faults_reveal_nothing_internal(client: TestClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"error": "not-found", "message": "ページが見つかりません。"}
    page = client.get("/no/such/page")
    assert "Traceback" not in page.text
    assert "ページが見つかりません" in page.text


@pytest.mark.req("N-SEC-6")
def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/signin", "/healthz", "/static/css/app.css", "/missing"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "server" not in headers


@pytest.mark.req("N-SEC-6")
def test_an_unexpected_fault_shows_a_reference_and_no_stack_trace(
    app: Any, client: TestClient, leader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr("realtime.hub.announcements.create", broken)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        c.cookies.update(client.cookies)
        response = c.post(
            "/api/announcements", json={"text": "x"}, headers={"X-CSRF-Token": leader}
        )
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal-error"
    assert "参照番号" in body["message"]
    assert "passwd" not in response.text
    assert "RuntimeError" not in response.text
