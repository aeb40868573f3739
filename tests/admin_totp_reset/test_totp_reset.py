"""A system administrator resets a user's lost second factor: the user's sessions end, the next
sign-in asks to enrol again, the step is audited; others cannot, and nobody resets their own."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from realtime.audit.models import AuditEntry
from realtime.auth.models import User
from realtime.auth.permissions import Role
from tests.support.app import PASSWORD, add_user, csrf_from, signin


@pytest.mark.req("N-SEC-1")
def test_admin_resets_a_lost_authenticator_and_the_user_enrols_again(app: Any) -> None:
    admin_secret, sv_secret = pyotp.random_base32(), pyotp.random_base32()
    add_user(app, "admin", Role.SYSTEM_ADMIN, totp_secret=admin_secret)
    add_user(app, "sv", Role.SUPERVISOR, totp_secret=sv_secret)
    add_user(app, "security", Role.SECURITY_OFFICER, totp_secret=pyotp.random_base32())
    with (
        TestClient(app, base_url="http://testserver") as admin,
        TestClient(app, base_url="http://testserver") as sv,
    ):
        signin(sv, "sv", totp_secret=sv_secret)
        assert sv.get("/api/me").status_code == 200
        token = signin(admin, "admin", totp_secret=admin_secret)
        page = admin.get("/admin/users").text
        assert 'action="/admin/users/sv/totp-reset"' in page
        assert 'action="/admin/users/admin/totp-reset"' not in page
        done = admin.post(
            "/admin/users/sv/totp-reset", data={"csrf_token": token}, follow_redirects=False
        )
        assert done.status_code == 303
        assert "二要素認証をリセットしました" in admin.get(done.headers["location"]).text
        own = admin.post("/admin/users/admin/totp-reset", data={"csrf_token": token})
        assert own.status_code == 422
        assert "自分自身の二要素認証はリセットできません" in own.text
        # the lost device's sessions are over
        assert sv.get("/api/me", headers={"Accept": "application/json"}).status_code == 401
    with app.ctx.db.session() as session:
        user = session.exec(select(User).where(col(User.username) == "sv")).one()
        assert (user.totp_enabled, user.totp_secret_enc, user.totp_pending_enc) == (
            False,
            None,
            None,
        )
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "user-totp-reset")
        ).all()
        assert [(e.actor, e.target, e.outcome) for e in entries] == [("admin", "sv", "success")]
    with TestClient(app, base_url="http://testserver") as again:
        form = again.get("/signin")
        response = again.post(
            "/signin",
            data={"username": "sv", "password": PASSWORD, "csrf_token": csrf_from(form.text)},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/account/totp"
    with TestClient(app, base_url="http://testserver") as officer:
        secret = None
        with app.ctx.db.session() as session:
            user = session.exec(select(User).where(col(User.username) == "security")).one()
            secret = app.ctx.totp_box().open(user.totp_secret_enc or "")
        token = signin(officer, "security", totp_secret=secret)
        refused = officer.post(
            "/admin/users/admin/totp-reset",
            data={"csrf_token": token},
            headers={"Accept": "application/json"},
        )
        assert refused.status_code == 403
