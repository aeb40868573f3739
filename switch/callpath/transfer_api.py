"""The desk's transfer entry points: ``POST /api/agent/transfer`` and the /agent ``transfer``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body
from realtime.auth.permissions import Permission
from realtime.auth.service import Principal
from realtime.http.context import context_of
from realtime.http.guard import guarded_route, signed_in
from switch.callpath.commands import commands_of


async def transfer_action(ctx: Any, principal: Principal, data: Any) -> dict[str, Any]:
    """Run one transfer request of the agent; the contract's ``{"ok", "transfer"}``."""
    return {"ok": True, "transfer": await commands_of(ctx).transfer(principal, data=data)}


async def transfer(request: Request) -> Response:
    """Blind or consult transfer, complete or cancel a consultation (desk.use)."""
    principal = await signed_in(request)
    body = await json_body(request)
    return JSONResponse(await transfer_action(context_of(request), principal, body))


def routes() -> list[BaseRoute]:
    """The transfer route."""
    return [
        guarded_route(
            "/api/agent/transfer", transfer, permission=Permission.DESK_USE, methods=["POST"]
        )
    ]
