"""Build an app on a fresh database and drive it like a browser."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from starlette.testclient import TestClient

from realtime import migrate
from realtime.app import create_app
from realtime.auth import service as auth
from realtime.auth.permissions import Role
from realtime.settings import Settings, load_settings

PASSWORD = "Correct-Horse-42!"
TEST_ORIGIN = "http://testserver"


def make_settings(data_dir: Any, database_url: str | None = None, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "secret_key": "test-secret-" + "x" * 40,
        "public_url": TEST_ORIGIN,
    }
    if database_url:
        values["database_url"] = database_url
    values.update(extra)
    return load_settings(**values)


def make_app(settings: Settings) -> Any:
    migrate.upgrade(settings.effective_database_url)
    return create_app(settings)


def add_user(
    app: Any,
    username: str,
    *roles: Role,
    password: str = PASSWORD,
    totp_secret: str | None = None,
    must_change: bool = False,
) -> None:
    ctx = app.ctx
    with ctx.db.session() as session:
        user = auth.create_user(
            session,
            username=username,
            display_name=f"{username} 様",
            password=password,
            roles=list(roles),
            actor="test",
            must_change_password=must_change,
        )
        if totp_secret:
            user.totp_secret_enc = ctx.totp_box().seal(totp_secret)
            user.totp_enabled = True
            session.add(user)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def signin(
    client: TestClient, username: str, password: str = PASSWORD, totp_secret: str | None = None
) -> str:
    """Sign in through the pages; returns a CSRF token for later posts."""
    page = client.get("/signin")
    token = csrf_from(page.text)
    response = client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    if totp_secret:
        page = client.get("/signin/totp")
        response = client.post(
            "/signin/totp",
            data={"code": pyotp.TOTP(totp_secret).now(), "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    return csrf_from(client.get("/account/password").text)


BACKGROUND = {"daily-report-draft": "ok", "wfm-adherence-live": "ok"}
"""Readiness checks of the background parts every app runs (beside database and monitor)."""
