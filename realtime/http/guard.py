"""Routes that declare the permission they need; anything undeclared is refused.

Use :func:`guarded_route` for every endpoint. The app checks at start-up that each route carries
a ``permission`` and refuses to start otherwise.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from realtime.auth import service as auth
from realtime.auth.permissions import PUBLIC, Permission, Requirement, permissions_for
from realtime.errors import (
    MadoguchiError,
    NotAuthenticated,
    PermissionDenied,
    RequestTooLarge,
    SecondFactorRequired,
    SessionExpired,
)
from realtime.http import csrf
from realtime.http.context import context_of

Endpoint = Callable[[Request], Awaitable[Response]]


async def current_principal(request: Request) -> auth.Principal | None:
    """The signed-in principal, or None; cached on the request."""
    if "principal" in request.scope.get("state", {}):
        cached: auth.Principal | None = request.state.principal
        return cached
    ctx = context_of(request)
    token = request.cookies.get(ctx.session_cookie_name)
    principal: auth.Principal | None = None
    if token:
        try:
            principal = await ctx.db.run(_load, ctx, token)
        except SessionExpired:
            request.state.session_rejected = True
    request.state.principal = principal
    return principal


async def signed_in(request: Request) -> auth.Principal:
    """The principal behind a guarded route (the guard has let it through), or 401."""
    principal = await current_principal(request)
    if principal is None:
        raise NotAuthenticated()
    return principal


def _load(ctx: Any, token: str) -> auth.Principal:
    with ctx.db.session() as session:
        return auth.load_principal(session, token=token, policy=ctx.session_policy)


def require(principal: auth.Principal | None, permission: Requirement, *, rejected: bool) -> None:
    """Raise unless the principal holds the permission."""
    if permission is PUBLIC:
        return
    if principal is None:
        raise SessionExpired() if rejected else NotAuthenticated()
    assert isinstance(permission, Permission)
    if principal.can(permission):
        return
    if not principal.fully_signed_in and permission in permissions_for(principal.roles):
        raise SecondFactorRequired(permission=permission.value)
    raise PermissionDenied(permission=permission.value)


def _machine_token_ok(request: Request) -> bool:
    token = context_of(request).settings.metrics_token
    header = request.headers.get("authorization", "")
    if token is None or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[7:].encode(), token.get_secret_value().encode())


def guard(endpoint: Endpoint, permission: Requirement, *, machine_token: bool = False) -> Endpoint:
    async def guarded(request: Request) -> Response:
        ctx = context_of(request)
        if "body_too_large" in request.scope.get("state", {}):
            raise RequestTooLarge(limit=ctx.settings.max_body_bytes)
        if machine_token and request.method == "GET" and _machine_token_ok(request):
            return await endpoint(request)
        principal = await current_principal(request)
        rejected = bool(getattr(request.state, "session_rejected", False))
        require(principal, permission, rejected=rejected)
        await csrf.check(
            request, secret=ctx.secret, own_origin=_own_origin(ctx.settings.public_url)
        )
        return await endpoint(request)

    guarded.__name__ = getattr(endpoint, "__name__", "endpoint")
    guarded.__doc__ = endpoint.__doc__
    return guarded


def _own_origin(public_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(public_url)
    return f"{parts.scheme}://{parts.netloc}"


class GuardedRoute(Route):
    """A route that knows its permission."""

    def __init__(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        permission: Requirement,
        methods: Sequence[str] = ("GET",),
        name: str | None = None,
        machine_token: bool = False,
    ) -> None:
        wrapped = guard(endpoint, permission, machine_token=machine_token)
        super().__init__(path, wrapped, methods=list(methods), name=name)
        self.permission = permission


def guarded_route(
    path: str,
    endpoint: Endpoint,
    *,
    permission: Requirement,
    methods: Sequence[str] = ("GET",),
    name: str | None = None,
    machine_token: bool = False,
) -> GuardedRoute:
    return GuardedRoute(
        path,
        endpoint,
        permission=permission,
        methods=methods,
        name=name,
        machine_token=machine_token,
    )


class PublicStatic(Mount):
    """Static assets: public by declaration."""

    def __init__(self, path: str, directory: str, name: str) -> None:
        super().__init__(path, app=StaticFiles(directory=directory), name=name)
        self.permission: Requirement = PUBLIC


class UndeclaredRoute(MadoguchiError):
    error_id = "route-without-permission"


def check_routes(routes: Sequence[BaseRoute]) -> None:
    """Refuse to start if any route declares no permission (deny by default)."""
    for route in routes:
        if isinstance(route, WebSocketRoute) or not hasattr(route, "permission"):
            raise UndeclaredRoute(path=getattr(route, "path", repr(route)))
