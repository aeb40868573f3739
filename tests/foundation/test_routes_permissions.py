"""Every HTTP route declares a permission, and each role gets exactly what it declares."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from realtime.auth.permissions import PUBLIC, Permission, Role, needs_second_factor, permissions_for
from realtime.errors import MadoguchiError
from realtime.http.guard import GuardedRoute, PublicStatic, check_routes
from tests.support.app import add_user, signin


def _web_routes(app: Any) -> list[Any]:
    return list(app.other_asgi_app.routes)


@pytest.mark.req("N-SEC-1", "N-SEC-7")
def test_every_route_declares_a_permission(app: Any) -> None:
    routes = _web_routes(app)
    assert routes
    for route in routes:
        assert isinstance(route, GuardedRoute | PublicStatic), route
        assert route.permission is PUBLIC or isinstance(route.permission, Permission)


@pytest.mark.req("N-SEC-1")
def test_a_route_without_a_permission_stops_the_app_from_starting() -> None:
    async def endpoint(request: Any) -> Any:
        raise AssertionError("never called")

    with pytest.raises(MadoguchiError) as info:
        check_routes([Route("/forgotten", endpoint)])
    assert info.value.error_id == "route-without-permission"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "nobody", path)


@pytest.mark.req("N-SEC-1", "N-SEC-7", "F-1.1.4", "F-2.1.7", "F-2.4.4")
@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_the_routes_its_permissions_allow(app: Any, role: Role) -> None:
    secret = pyotp.random_base32() if needs_second_factor([role]) else None
    add_user(app, "walker", role, totp_secret=secret)
    granted = permissions_for([role])
    with TestClient(app, base_url="http://testserver") as client:
        token = signin(client, "walker", totp_secret=secret)
        for route in _web_routes(app):
            if not isinstance(route, GuardedRoute) or route.permission is PUBLIC:
                continue
            if route.path == "/signout":
                continue  # would end this session; covered by the sign-out tests
            for method in sorted(route.methods or []):
                if method == "HEAD":
                    continue
                response = client.request(
                    method,
                    _concrete(route.path),
                    headers={"X-CSRF-Token": token, "Accept": "application/json"},
                    follow_redirects=False,
                )
                denied = response.status_code == 403 and response.json()["error"] in (
                    "permission-denied",
                )
                allowed = route.permission in granted
                assert denied != allowed, (role, method, route.path, response.status_code)


@pytest.mark.req("N-SEC-1")
def test_anonymous_requests_are_refused_on_every_non_public_route(client: TestClient) -> None:
    for route in _web_routes(client.app):
        if not isinstance(route, GuardedRoute) or route.permission is PUBLIC:
            continue
        for method in sorted(route.methods or []):
            if method == "HEAD":
                continue
            response = client.request(
                method,
                _concrete(route.path),
                headers={"Accept": "application/json"},
                follow_redirects=False,
            )
            assert response.status_code == 401, (method, route.path)
            assert response.json()["error"] == "not-authenticated"


@pytest.mark.req("N-SEC-1")
def test_a_browser_without_a_session_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/admin/users"
