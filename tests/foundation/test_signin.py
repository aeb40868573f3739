"""Sign-in, sessions, lockout, second factor, password change: as a browser does them."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from realtime.audit.models import AuditEntry
from realtime.auth.models import User
from realtime.auth.permissions import Role
from tests.support.app import PASSWORD, add_user, csrf_from, signin


def _audit_actions(app: Any) -> list[tuple[str, str]]:
    with app.ctx.db.session() as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
        return [(r.action, r.outcome) for r in rows]


def _post_signin(client: TestClient, username: str, password: str) -> Any:
    token = csrf_from(client.get("/signin").text)
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_an_operator_signs_in_and_sees_a_japanese_home_page(app: Any, client: TestClient) -> None:
    add_user(app, "op1", Role.OPERATOR)
    signin(client, "op1")
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="ja"' in page.text
    assert "ホーム" in page.text
    assert "オペレーター" in page.text
    assert ("sign-in", "success") in _audit_actions(app)


@pytest.mark.req("N-SEC-1", "N-SEC-2")
def test_a_wrong_password_is_refused_in_japanese_and_audited(app: Any, client: TestClient) -> None:
    add_user(app, "op1", Role.OPERATOR)
    response = _post_signin(client, "op1", "wrong-password")
    assert response.status_code == 401
    assert "ユーザーIDまたはパスワードが正しくありません" in response.text
    assert ("sign-in", "failure") in _audit_actions(app)
    assert client.get("/api/me").status_code == 401


@pytest.mark.req("N-SEC-1")
def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client: TestClient) -> None:
    response = _post_signin(client, "nobody", "whatever-password")
    assert response.status_code == 401
    assert "ユーザーIDまたはパスワードが正しくありません" in response.text


@pytest.mark.req("N-SEC-1", "N-SEC-4")
def test_repeated_failures_lock_the_account_even_for_the_right_password(
    app: Any, client: TestClient
) -> None:
    add_user(app, "op1", Role.OPERATOR)
    limit = app.ctx.settings.login_max_failures
    for _ in range(limit):
        assert _post_signin(client, "op1", "wrong-password").status_code == 401
    response = _post_signin(client, "op1", PASSWORD)
    assert response.status_code == 429
    assert "ロック" in response.text
    assert ("sign-in", "locked") in _audit_actions(app)


@pytest.mark.req("N-SEC-1")
def test_a_disabled_user_cannot_sign_in_and_loses_open_sessions(
    app: Any, client: TestClient
) -> None:
    add_user(app, "op1", Role.OPERATOR)
    signin(client, "op1")
    from realtime.auth import service as auth

    with app.ctx.db.session() as session:
        auth.disable_user(session, username="op1", actor="admin")
    assert client.get("/api/me").status_code == 401
    assert _post_signin(client, "op1", PASSWORD).status_code == 401


@pytest.mark.req("N-SEC-1")
def test_signing_out_revokes_the_session_server_side(app: Any, client: TestClient) -> None:
    add_user(app, "op1", Role.OPERATOR)
    token = signin(client, "op1")
    cookie = client.cookies.get("madoguchi_session")
    assert (
        client.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    # Replaying the old cookie does not work: the session is revoked in the database.
    client.cookies.set("madoguchi_session", cookie or "")
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"] == "session-expired"
    assert ("sign-out", "success") in _audit_actions(app)


@pytest.mark.req("N-SEC-1")
def test_session_cookie_is_httponly_and_samesite(app: Any, client: TestClient) -> None:
    add_user(app, "op1", Role.OPERATOR)
    response = _post_signin(client, "op1", PASSWORD)
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header


@pytest.mark.req("N-SEC-1", "N-SEC-3")
def test_production_cookies_are_secure_and_host_prefixed(tmp_path: Any) -> None:
    from tests.support.app import make_app, make_settings

    app = make_app(
        make_settings(tmp_path, public_url="https://center.example.jp", cookie_secure=True)
    )
    add_user(app, "op1", Role.OPERATOR)
    with TestClient(app, base_url="https://center.example.jp") as client:
        response = _post_signin(client, "op1", PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-madoguchi_session=")
    assert "Secure" in cookie
    assert "strict-transport-security" in response.headers


@pytest.mark.req("N-SEC-1")
def test_a_supervisor_must_pass_totp_before_any_supervisor_permission(
    app: Any, client: TestClient
) -> None:
    secret = pyotp.random_base32()
    add_user(app, "sv", Role.SUPERVISOR, totp_secret=secret)
    response = _post_signin(client, "sv", PASSWORD)
    assert response.headers["location"] == "/signin/totp"
    me = client.get("/api/me").json()
    assert me["permissions"] == ["account.self"]
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin/totp"
    page = client.get("/signin/totp")
    bad = client.post("/signin/totp", data={"code": "000000", "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 401
    assert "確認コードが正しくありません" in bad.text
    good = client.post(
        "/signin/totp",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "wallboard.view" in client.get("/api/me").json()["permissions"]


@pytest.mark.req("N-SEC-1")
def test_an_admin_without_totp_is_sent_to_enrol_and_enrolment_works(
    app: Any, client: TestClient
) -> None:
    add_user(app, "admin", Role.SYSTEM_ADMIN)
    response = _post_signin(client, "admin", PASSWORD)
    assert response.headers["location"] == "/account/totp"
    page = client.get("/account/totp")
    assert "<svg" in page.text
    shown = page.text.split('id="totp-secret">')[1].split("</code>")[0]
    secret = re.sub(r"<[^>]+>", "", shown)
    done = client.post(
        "/account/totp",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/admin/users").status_code == 200
    with app.ctx.db.session() as session:
        user = session.exec(select(User).where(User.username == "admin")).one()
        assert user.totp_enabled
        assert user.totp_secret_enc
        assert secret not in user.totp_secret_enc


@pytest.mark.req("N-SEC-1")
def test_opening_the_enrolment_page_does_not_switch_off_an_enrolled_factor(
    app: Any, client: TestClient
) -> None:
    secret = pyotp.random_base32()
    add_user(app, "admin", Role.SYSTEM_ADMIN, totp_secret=secret)
    signin(client, "admin", totp_secret=secret)
    client.get("/account/totp")
    client.post("/signout", data={"csrf_token": csrf_from(client.get("/").text)})
    response = _post_signin(client, "admin", PASSWORD)
    assert response.headers["location"] == "/signin/totp"


@pytest.mark.req("N-SEC-1")
def test_a_totp_code_cannot_be_replayed(app: Any, client: TestClient) -> None:
    secret = pyotp.random_base32()
    add_user(app, "sv", Role.SUPERVISOR, totp_secret=secret)
    signin(client, "sv", totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    with TestClient(app, base_url="http://testserver") as other:
        _post_signin(other, "sv", PASSWORD)
        page = other.get("/signin/totp")
        again = other.post("/signin/totp", data={"code": code, "csrf_token": csrf_from(page.text)})
        assert again.status_code == 401


@pytest.mark.req("N-SEC-1")
def test_password_change_enforces_policy_and_ends_other_sessions(
    app: Any, client: TestClient
) -> None:
    add_user(app, "op1", Role.OPERATOR)
    token = signin(client, "op1")
    with TestClient(app, base_url="http://testserver") as other:
        signin(other, "op1")
        weak = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "short",
                "new_password_confirm": "short",
                "csrf_token": token,
            },
        )
        assert weak.status_code == 422
        assert "12文字以上" in weak.text
        mismatch = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "New-Password-123",
                "new_password_confirm": "Other-Password-123",
                "csrf_token": token,
            },
        )
        assert mismatch.status_code == 422
        assert "一致しません" in mismatch.text
        ok = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "New-Password-123",
                "new_password_confirm": "New-Password-123",
                "csrf_token": token,
            },
        )
        assert ok.status_code == 200
        assert "変更しました" in ok.text
        assert other.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 200


@pytest.mark.req("N-SEC-1")
def test_sign_in_never_redirects_off_site(app: Any, client: TestClient) -> None:
    add_user(app, "op1", Role.OPERATOR)
    token = csrf_from(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={
            "username": "op1",
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


@pytest.mark.req("N-SEC-1", "F-2.1.7")
def test_an_administrator_cannot_disable_their_own_account(app: Any, client: TestClient) -> None:
    secret = pyotp.random_base32()
    add_user(app, "admin", Role.SYSTEM_ADMIN, totp_secret=secret)
    token = signin(client, "admin", totp_secret=secret)
    response = client.post("/admin/users/admin/disable", data={"csrf_token": token})
    assert response.status_code == 422
    assert "自分自身" in response.text
    assert client.get("/api/me").status_code == 200


@pytest.mark.req("N-USE-1")
def test_a_failed_user_creation_keeps_the_ticked_roles(app: Any, client: TestClient) -> None:
    secret = pyotp.random_base32()
    add_user(app, "admin", Role.SYSTEM_ADMIN, totp_secret=secret)
    token = signin(client, "admin", totp_secret=secret)
    response = client.post(
        "/admin/users",
        data={
            "username": "new1",
            "display_name": "新人",
            "password": "short",
            "roles": ["operator", "leader"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert 'value="operator" checked' in response.text
    assert 'value="leader" checked' in response.text
    assert 'value="supervisor" checked' not in response.text


@pytest.mark.req("F-2.1.6", "F-1.1.2")
def test_agents_sign_in_and_out_are_contact_log_events_but_admins_are_not(
    app: Any, client: TestClient
) -> None:
    from cms import service as events
    from cms.events import EventType

    add_user(app, "op1", Role.OPERATOR)
    secret = pyotp.random_base32()
    add_user(app, "sv", Role.SUPERVISOR, totp_secret=secret)
    add_user(app, "admin", Role.SYSTEM_ADMIN, totp_secret=secret)
    for username, code in (("op1", None), ("sv", secret), ("admin", secret)):
        with TestClient(app, base_url="http://testserver") as browser:
            token = signin(browser, username, totp_secret=code)
            browser.post("/signout", data={"csrf_token": token})
    with app.ctx.db.session() as session:
        seen = [(e.type, e.agent) for e in events.read(session)]
    assert seen == [
        (EventType.AGENT_SIGNED_IN.value, "op1"),
        (EventType.AGENT_SIGNED_OUT.value, "op1"),
        (EventType.AGENT_SIGNED_IN.value, "sv"),
        (EventType.AGENT_SIGNED_OUT.value, "sv"),
    ]
