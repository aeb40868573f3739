"""JSON routes for the daily report's recipients (admin.settings, audited)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from cms.reports import recipients
from cms.reports.mailconfig import ReportMailSettings
from crm.interactions.http import json_body, username
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


async def recipient_list(request: Request) -> Response:
    """The stored recipients, and the environment's list used while none are stored."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [r.to_json() for r in recipients.list_recipients(session)]

    return JSONResponse(
        {"recipients": await ctx.db.run(load), "environment": ReportMailSettings().recipients()}
    )


async def recipient_add(request: Request) -> Response:
    """Add one address."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return recipients.add_recipient(session, data=body, actor=actor).to_json()

    return JSONResponse({"recipient": await ctx.db.run(do)}, status_code=201)


async def recipient_delete(request: Request) -> Response:
    """Remove one address."""
    ctx = context_of(request)
    actor = await username(request)
    raw = str(request.path_params["recipient_id"])
    if not raw.isdigit() or len(raw) > 12:
        raise recipients.RecipientNotFound(recipient_id=0)

    def do() -> None:
        with ctx.db.session() as session:
            recipients.delete_recipient(session, recipient_id=int(raw), actor=actor)

    await ctx.db.run(do)
    return JSONResponse({"deleted": int(raw)})


def routes() -> list[BaseRoute]:
    """The recipient routes (admin.settings)."""
    admin = Permission.SETTINGS_MANAGE
    base = "/api/cms/report-recipients"
    return [
        guarded_route(base, recipient_list, permission=admin),
        guarded_route(base, recipient_add, permission=admin, methods=["POST"]),
        guarded_route(
            base + "/{recipient_id}", recipient_delete, permission=admin, methods=["DELETE"]
        ),
    ]
