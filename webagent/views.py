"""The first pages: sign-in, second factor, password change, TOTP enrolment, home per role,
user administration and the audit log view."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute

from realtime.audit import service as audit
from realtime.auth import presence, totp
from realtime.auth import service as auth
from realtime.auth.permissions import (
    PUBLIC,
    ROLE_LABELS_JA,
    Permission,
    Role,
    needs_second_factor,
)
from realtime.errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidTotp,
    MadoguchiError,
    MalformedJson,
    ValidationFailed,
)
from realtime.http import csrf
from realtime.http.context import client_ip, context_of
from realtime.http.guard import current_principal, guarded_route


def render(
    request: Request, template: str, values: dict[str, Any] | None = None, status: int = 200
) -> Response:
    ctx = context_of(request)
    data = {
        "csrf_token": csrf.page_token(request, ctx.secret),
        "principal": request.scope.get("state", {}).get("principal"),
        "role_labels": ROLE_LABELS_JA,
        "Permission": Permission,
    }
    data.update(values or {})
    return ctx.templates.TemplateResponse(request, template, data, status_code=status)


def _safe_next(value: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return parts.path or "/"


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object body, or a clear 400."""
    try:
        data = await request.json()
    except ValueError as exc:
        raise MalformedJson() from exc
    if not isinstance(data, dict):
        raise MalformedJson()
    return data


# --- sign-in -------------------------------------------------------------------------------


async def signin_page(request: Request) -> Response:
    principal = await current_principal(request)
    if principal is not None and principal.fully_signed_in:
        return RedirectResponse("/", status_code=303)
    expired = bool(getattr(request.state, "session_rejected", False))
    return render(
        request,
        "signin.html",
        {"next": _safe_next(request.query_params.get("next")), "expired": expired},
    )


async def signin_submit(request: Request) -> Response:
    ctx = context_of(request)
    form = await _form(request)
    username = form.get("username", "").strip()[:64]
    password = form.get("password", "")[:1024]
    next_path = _safe_next(form.get("next"))
    if not username or not password:
        return render(
            request,
            "signin.html",
            {
                "error": "ユーザーIDとパスワードを入力してください。",
                "username": username,
                "next": next_path,
            },
            status=422,
        )

    def do() -> tuple[str, bool, bool, bool]:
        with ctx.db.session() as session:
            user = auth.authenticate(
                session,
                username=username,
                password=password,
                policy=ctx.session_policy,
                ip=client_ip(request),
            )
            token = auth.create_session(
                session,
                user=user,
                policy=ctx.session_policy,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
            roles = auth.roles_of(session, user.id or 0)
            if not needs_second_factor(roles):
                presence.record(session, username=user.username, roles=roles, signed_in=True)
            return (
                token,
                needs_second_factor(roles),
                user.totp_enabled,
                (user.must_change_password),
            )

    try:
        token, needs_2fa, enrolled, must_change = await ctx.db.run(do)
    except (InvalidCredentials, AccountLocked) as exc:
        ctx.extras["metrics"].rejections.labels(error=exc.error_id).inc()
        return render(
            request,
            "signin.html",
            {"error": exc.message, "username": username, "next": next_path},
            status=exc.status_code,
        )
    if needs_2fa:
        target = "/signin/totp" if enrolled else "/account/totp"
    elif must_change:
        target = "/account/password"
    else:
        target = next_path
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(request, response, token)
    return response


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    ctx = context_of(request)
    response.set_cookie(
        ctx.session_cookie_name,
        token,
        max_age=ctx.settings.session_absolute_hours * 3600,
        path="/",
        secure=ctx.settings.effective_cookie_secure,
        httponly=True,
        samesite="lax",
    )


async def totp_page(request: Request) -> Response:
    principal = await current_principal(request)
    assert principal is not None
    if principal.fully_signed_in:
        return RedirectResponse("/", status_code=303)
    if not principal.totp_enabled:
        return RedirectResponse("/account/totp", status_code=303)
    return render(request, "totp_verify.html")


async def totp_submit(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    code = (await _form(request)).get("code", "")

    def do() -> None:
        with ctx.db.session() as session:
            auth.confirm_totp(
                session,
                principal=principal,
                code=code,
                box=ctx.totp_box(),
                at=time.time(),
                ip=client_ip(request),
                enrol=False,
            )
            presence.record(
                session, username=principal.username, roles=principal.roles, signed_in=True
            )

    try:
        await ctx.db.run(do)
    except InvalidTotp as exc:
        return render(request, "totp_verify.html", {"error": exc.message}, status=401)
    return RedirectResponse(
        "/account/password" if principal.must_change_password else "/", status_code=303
    )


async def signout(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None

    def do() -> None:
        with ctx.db.session() as session:
            auth.revoke_session(session, session_id=principal.session_id)
            audit.record(
                session, actor=principal.username, action="sign-out", ip=client_ip(request)
            )
            if principal.fully_signed_in:
                presence.record(
                    session, username=principal.username, roles=principal.roles, signed_in=False
                )

    await ctx.db.run(do)
    await ctx.hub.end_session(principal.session_id)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(
        ctx.session_cookie_name,
        path="/",
        secure=ctx.settings.effective_cookie_secure,
        httponly=True,
    )
    return response


# --- account -------------------------------------------------------------------------------


async def password_page(request: Request) -> Response:
    await current_principal(request)
    return render(request, "password.html")


async def password_submit(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    form = await _form(request)
    if form.get("new_password", "") != form.get("new_password_confirm", ""):
        return render(
            request,
            "password.html",
            {"fields": {"new_password_confirm": "確認用のパスワードが一致しません。"}},
            status=422,
        )

    def do() -> None:
        with ctx.db.session() as session:
            auth.change_password(
                session,
                principal=principal,
                current=form.get("current_password", ""),
                new=form.get("new_password", ""),
                ip=client_ip(request),
            )

    try:
        await ctx.db.run(do)
    except ValidationFailed as exc:
        return render(request, "password.html", {"fields": exc.fields}, status=422)
    return render(request, "password.html", {"done": True})


async def totp_enrol_page(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    if principal.totp_enabled and not principal.fully_signed_in:
        return RedirectResponse("/signin/totp", status_code=303)

    def do() -> str:
        with ctx.db.session() as session:
            uri = auth.pending_totp_uri(session, principal=principal, box=ctx.totp_box())
            return uri or auth.begin_totp_enrolment(
                session, principal=principal, box=ctx.totp_box()
            )

    uri = await ctx.db.run(do)
    secret = uri.split("secret=")[1].split("&")[0]
    return render(
        request,
        "totp_enrol.html",
        {"qr_svg": totp.qr_svg(uri), "secret": secret, "already": principal.totp_enabled},
    )


async def totp_enrol_submit(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    code = (await _form(request)).get("code", "")

    def confirm() -> None:
        with ctx.db.session() as session:
            auth.confirm_totp(
                session,
                principal=principal,
                code=code,
                box=ctx.totp_box(),
                at=time.time(),
                ip=client_ip(request),
                enrol=True,
            )
            if not principal.fully_signed_in:  # this code completes the sign-in
                presence.record(
                    session, username=principal.username, roles=principal.roles, signed_in=True
                )

    try:
        await ctx.db.run(confirm)
    except InvalidTotp as exc:

        def again() -> str:
            with ctx.db.session() as session:
                uri = auth.pending_totp_uri(session, principal=principal, box=ctx.totp_box())
                return uri or ""

        uri = await ctx.db.run(again)
        secret = uri.split("secret=")[1].split("&")[0] if uri else ""
        return render(
            request,
            "totp_enrol.html",
            {
                "qr_svg": totp.qr_svg(uri) if uri else "",
                "secret": secret,
                "error": exc.message,
                "already": False,
            },
            status=401,
        )
    return RedirectResponse(
        "/account/password" if principal.must_change_password else "/", status_code=303
    )


# --- home ----------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    principal = await current_principal(request)
    assert principal is not None
    if not principal.fully_signed_in:
        target = "/signin/totp" if principal.totp_enabled else "/account/totp"
        return RedirectResponse(target, status_code=303)
    if principal.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return render(request, "home.html", {"roles": sorted(principal.roles, key=list(Role).index)})


async def me(request: Request) -> Response:
    principal = await current_principal(request)
    assert principal is not None
    return JSONResponse(
        {
            "username": principal.username,
            "display_name": principal.display_name,
            "roles": sorted(r.value for r in principal.roles),
            "permissions": sorted(p.value for p in principal.permissions),
        }
    )


async def announce(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    body = await read_json(request)
    result = await ctx.hub.announce(principal=principal, text=body.get("text"))
    return JSONResponse(result, status_code=201)


# --- administration ------------------------------------------------------------------------


async def users_page(request: Request) -> Response:
    return await _users_render(request)


async def _users_render(
    request: Request, values: dict[str, Any] | None = None, status: int = 200
) -> Response:
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [
                {
                    "username": u.username,
                    "display_name": u.display_name,
                    "roles": sorted(r.value for r in roles),
                    "disabled": u.disabled,
                    "totp": u.totp_enabled,
                }
                for u, roles in auth.list_users(session)
            ]

    data = {"users": await ctx.db.run(load), "all_roles": list(Role)}
    data.update(values or {})
    return render(request, "admin_users.html", data, status=status)


async def users_page_with(
    request: Request, values: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """The users page with a message (for routes of other modules)."""
    return await _users_render(request, values, status)


async def users_create(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    form = await request.form()
    raw_roles = [v for v in form.getlist("roles") if isinstance(v, str)]
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        roles = [Role(r) for r in raw_roles]
    except ValueError:
        return await _users_render(
            request,
            {"fields": {"roles": "不明なロールです。"}, "form": values, "checked": raw_roles},
            422,
        )

    def do() -> None:
        with ctx.db.session() as session:
            auth.create_user(
                session,
                username=values.get("username", ""),
                display_name=values.get("display_name", ""),
                password=values.get("password", ""),
                roles=roles,
                actor=principal.username,
                must_change_password=True,
            )

    try:
        await ctx.db.run(do)
    except MadoguchiError as exc:
        if exc.status_code not in (409, 422):
            raise
        fields = exc.data.get("fields") or {"username": exc.message}
        return await _users_render(
            request, {"fields": fields, "form": values, "checked": raw_roles}, exc.status_code
        )
    return RedirectResponse("/admin/users?created=1", status_code=303)


async def users_disable(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    username = request.path_params["username"]

    def do() -> int:
        with ctx.db.session() as session:
            return auth.disable_user(session, username=username, actor=principal.username).id or 0

    try:
        user_id = await ctx.db.run(do)
    except ValidationFailed as exc:
        return await _users_render(request, {"error": exc.message}, exc.status_code)
    await ctx.hub.end_user(user_id)
    return RedirectResponse("/admin/users", status_code=303)


async def audit_page(request: Request) -> Response:
    ctx = context_of(request)

    def load() -> tuple[list[Any], audit.VerifyResult]:
        with ctx.db.session() as session:
            return audit.recent(session, limit=200), audit.verify(session)

    entries, result = await ctx.db.run(load)
    return render(request, "audit.html", {"entries": entries, "verify": result})


def routes() -> list[BaseRoute]:
    """Every page route with the permission it needs."""
    p = Permission
    return [
        guarded_route("/signin", signin_page, permission=PUBLIC),
        guarded_route("/signin", signin_submit, permission=PUBLIC, methods=["POST"]),
        guarded_route("/signin/totp", totp_page, permission=p.ACCOUNT_SELF),
        guarded_route("/signin/totp", totp_submit, permission=p.ACCOUNT_SELF, methods=["POST"]),
        guarded_route("/signout", signout, permission=p.ACCOUNT_SELF, methods=["POST"]),
        guarded_route("/", home, permission=p.ACCOUNT_SELF),
        guarded_route("/account/password", password_page, permission=p.ACCOUNT_SELF),
        guarded_route(
            "/account/password", password_submit, permission=p.ACCOUNT_SELF, methods=["POST"]
        ),
        guarded_route("/account/totp", totp_enrol_page, permission=p.ACCOUNT_SELF),
        guarded_route(
            "/account/totp", totp_enrol_submit, permission=p.ACCOUNT_SELF, methods=["POST"]
        ),
        guarded_route("/api/me", me, permission=p.ACCOUNT_SELF),
        guarded_route("/api/announcements", announce, permission=p.ANNOUNCE, methods=["POST"]),
        guarded_route("/admin/users", users_page, permission=p.USERS_MANAGE),
        guarded_route("/admin/users", users_create, permission=p.USERS_MANAGE, methods=["POST"]),
        guarded_route(
            "/admin/users/{username}/disable",
            users_disable,
            permission=p.USERS_MANAGE,
            methods=["POST"],
        ),
        guarded_route("/audit", audit_page, permission=p.AUDIT_READ),
    ]
