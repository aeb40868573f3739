"""Retention routes for administrators: policies, the disposal log, run the job now."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body, optional_int, username
from mediastore.recordings.context import store_of
from mediastore.retention import service
from realtime.auth.permissions import Permission
from realtime.errors import NotFound, ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


async def policies(request: Request) -> Response:
    """Every policy and the default period."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return service.list_policies(session)

    return JSONResponse(
        {"default_days": ctx.settings.recording_retention_days, "policies": await ctx.db.run(load)}
    )


async def set_policy(request: Request) -> Response:
    """Set the period of one line and category (empty: any); audited."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    days = optional_int(body.get("days"), "days")
    if days is None:
        raise ValidationFailed(fields={"days": "保存日数を指定してください。"})

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return service.set_policy(
                session,
                line=str(body.get("line") or "").strip(),
                category=str(body.get("category") or "").strip(),
                days=days,
                note=str(body.get("note") or ""),
                actor=actor,
            )

    return JSONResponse(await ctx.db.run(do))


async def delete_policy(request: Request) -> Response:
    ctx = context_of(request)
    actor = await username(request)
    raw = request.path_params["policy_id"]
    if not raw.isdigit():
        raise NotFound()

    def do() -> bool:
        with ctx.db.session() as session:
            return service.delete_policy(session, policy_id=int(raw), actor=actor)

    if not await ctx.db.run(do):
        raise NotFound()
    return JSONResponse({"deleted": True})


async def disposals(request: Request) -> Response:
    """What was erased, when, by which rule (N-DATA-2)."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return service.disposals(session)

    return JSONResponse({"disposals": await ctx.db.run(load)})


async def run(request: Request) -> Response:
    """Run the retention job now (the scheduler runs it daily)."""
    ctx = context_of(request)
    store = store_of(ctx)
    report = await ctx.db.run(
        lambda: service.run_retention(
            database=ctx.db, store=store, default_days=ctx.settings.recording_retention_days
        )
    )
    return JSONResponse(report.as_dict())


def routes() -> list[BaseRoute]:
    """The retention routes (admin.settings)."""
    base = "/api/media/retention"
    need = Permission.SETTINGS_MANAGE
    return [
        guarded_route(base + "/policies", policies, permission=need),
        guarded_route(base + "/policies", set_policy, permission=need, methods=["POST"]),
        guarded_route(
            base + "/policies/{policy_id}/delete", delete_policy, permission=need, methods=["POST"]
        ),
        guarded_route(base + "/disposals", disposals, permission=need),
        guarded_route(base + "/run", run, permission=need, methods=["POST"]),
    ]
