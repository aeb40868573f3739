"""JSON routes for administrators' closure days (admin.settings, audited)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body, username
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route
from switch.callpath import closures
from switch.callpath.errors import UnknownConfig


async def _changed(request: Request) -> None:
    path = context_of(request).extras.get("callpath")
    if path is not None:
        await path.load()


async def closure_list(request: Request) -> Response:
    """Every closure day, in date order."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [c.to_json() for c in closures.list_closures(session)]

    return JSONResponse({"closures": await ctx.db.run(load)})


async def closure_add(request: Request) -> Response:
    """Add a closure day; it applies to the next call."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return closures.add_closure(session, data=body, actor=actor).to_json()

    result = await ctx.db.run(do)
    await _changed(request)
    return JSONResponse({"closure": result}, status_code=201)


async def closure_delete(request: Request) -> Response:
    """Remove a closure day."""
    ctx = context_of(request)
    actor = await username(request)
    raw = str(request.path_params["closure_id"])
    if not raw.isdigit() or len(raw) > 12:
        raise UnknownConfig(kind="closure", key=raw)

    def do() -> None:
        with ctx.db.session() as session:
            closures.delete_closure(session, closure_id=int(raw), actor=actor)

    await ctx.db.run(do)
    await _changed(request)
    return JSONResponse({"deleted": int(raw)})


def routes() -> list[BaseRoute]:
    """The closure routes (admin.settings)."""
    admin = Permission.SETTINGS_MANAGE
    base = "/api/callpath/closures"
    return [
        guarded_route(base, closure_list, permission=admin),
        guarded_route(base, closure_add, permission=admin, methods=["POST"]),
        guarded_route(base + "/{closure_id}", closure_delete, permission=admin, methods=["DELETE"]),
    ]
