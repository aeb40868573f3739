"""The administrator's reset of a user's second factor from /admin/users (lost authenticator)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from realtime.auth.permissions import Permission
from realtime.auth.secondfactor import reset_second_factor
from realtime.errors import ValidationFailed
from realtime.http.context import client_ip, context_of
from realtime.http.guard import current_principal, guarded_route
from webagent.views import users_page_with


async def totp_reset(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    username = str(request.path_params["username"])

    def do() -> int:
        with ctx.db.session() as session:
            user = reset_second_factor(
                session, username=username, actor=principal.username, ip=client_ip(request)
            )
            return user.id or 0

    try:
        user_id = await ctx.db.run(do)
    except ValidationFailed as exc:
        return await users_page_with(request, {"error": exc.message}, exc.status_code)
    await ctx.hub.end_user(user_id)
    return RedirectResponse(f"/admin/users?totp_reset={quote(username)}", status_code=303)


def routes() -> list[BaseRoute]:
    """The reset route (system administrators: admin.users)."""
    return [
        guarded_route(
            "/admin/users/{username}/totp-reset",
            totp_reset,
            permission=Permission.USERS_MANAGE,
            methods=["POST"],
        )
    ]
