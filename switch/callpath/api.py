"""JSON routes of the call path under /api/callpath/: admin configuration (admin.settings),
emergency mode (emergency.switch), the agent desk (desk.use), supervisors (calls.supervise)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route, signed_in
from switch.callpath import callback_api, closures_api, service
from switch.callpath.desk import callpath_of


async def _changed(request: Request) -> None:
    """Apply a configuration change to the running call path at once (when it runs)."""
    path = context_of(request).extras.get("callpath")
    if path is not None:
        await path.load()


async def config(request: Request) -> Response:
    """The whole call-path configuration."""
    ctx = context_of(request)

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            return service.config_json(session)

    return JSONResponse(await ctx.db.run(load))


def _saver(save: Callable[..., Any], render: Callable[[Any], Mapping[str, Any]]) -> Any:
    async def endpoint(request: Request) -> Response:
        ctx = context_of(request)
        actor = (await signed_in(request)).username
        body = await json_body(request)

        def do() -> Mapping[str, Any]:
            with ctx.db.session() as session:
                return render(save(session, data=body, actor=actor))

        result = await ctx.db.run(do)
        await _changed(request)
        return JSONResponse(dict(result))

    return endpoint


def _fields(*names: str) -> Callable[[Any], Mapping[str, Any]]:
    return lambda row: {n: getattr(row, n) for n in names}


async def delete(request: Request) -> Response:
    """Remove one configured item."""
    ctx = context_of(request)
    actor = (await signed_in(request)).username
    kind, key = request.path_params["kind"], request.path_params["key"]

    def do() -> None:
        with ctx.db.session() as session:
            service.delete(session, kind=kind, key=key, actor=actor)

    await ctx.db.run(do)
    await _changed(request)
    return JSONResponse({"deleted": key})


async def upload_sound(request: Request) -> Response:
    """Upload a guidance recording (the WAV file as the body); converted for FreeSWITCH."""
    ctx = context_of(request)
    actor = (await signed_in(request)).username
    key = request.path_params["key"]
    label = request.query_params.get("label", "")
    data = await request.body()

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            row = service.save_sound(
                session,
                key=key,
                label_ja=label,
                data=data,
                sounds_dir=ctx.settings.data_dir / "sounds",
                actor=actor,
            )
            return {"sound_key": row.sound_key, "duration_s": row.duration_s}

    result = await ctx.db.run(do)
    await _changed(request)
    return JSONResponse(result, status_code=201)


async def emergency_get(request: Request) -> Response:
    """Emergency mode as it is now."""
    ctx = context_of(request)

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            return dict(service.config_json(session)["emergency"])

    return JSONResponse(await ctx.db.run(load))


async def emergency_set(request: Request) -> Response:
    """Switch emergency mode on or off (effective for the next call; audited)."""
    ctx = context_of(request)
    actor = (await signed_in(request)).username
    body = await json_body(request)

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            service.set_emergency(session, data=body, actor=actor)
            return dict(service.config_json(session)["emergency"])

    result = await ctx.db.run(do)
    await _changed(request)
    return JSONResponse(result)


async def agent_view(request: Request) -> Response:
    """The signed-in agent's state and current call."""
    principal = await signed_in(request)
    path = callpath_of(context_of(request))
    return JSONResponse(await path.agent_snapshot(principal))


async def agent_state(request: Request) -> Response:
    """The agent sets ready / not_ready (with reason) / signed_out."""
    principal = await signed_in(request)
    body = await json_body(request)
    state, reason = body.get("state"), body.get("reason")
    if not isinstance(state, str) or (reason is not None and not isinstance(reason, str)):
        raise ValidationFailed(
            fields={"state": "ready / not_ready / signed_out を指定してください。"}
        )
    path = callpath_of(context_of(request))
    return JSONResponse({"callpath": await path.set_state(principal, state=state, reason=reason)})


async def agent_accept(request: Request) -> Response:
    """Accept the offered call."""
    principal = await signed_in(request)
    path = callpath_of(context_of(request))
    return JSONResponse({"callpath": await path.accept(principal)})


async def force_wrapup(request: Request) -> Response:
    """A supervisor ends an agent's wrap-up without the history (audited)."""
    principal = await signed_in(request)
    body = await json_body(request)
    agent, reason = body.get("agent"), body.get("reason")
    if not isinstance(agent, str) or not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed(fields={"reason": "対象のオペレーターと理由を入力してください。"})
    path = callpath_of(context_of(request))
    return JSONResponse(
        {"callpath": await path.force_wrapup(principal, agent=agent, reason=reason)}
    )


async def live(request: Request) -> Response:
    """Agents and queues now (wallboard)."""
    path = callpath_of(context_of(request))
    return JSONResponse(path.live_view())


def routes() -> list[BaseRoute]:
    """The call-path routes, each with the permission it needs."""
    admin = Permission.SETTINGS_MANAGE
    return [
        guarded_route("/api/callpath/config", config, permission=admin),
        guarded_route(
            "/api/callpath/lines",
            _saver(service.save_line, _fields("did", "name_ja", "root_node")),
            permission=admin,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/menus",
            _saver(service.save_node, _fields("node_id", "did", "menu_key", "queue_id")),
            permission=admin,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/queues",
            _saver(service.save_queue, _fields("queue_id", "skill_group", "overflow_to")),
            permission=admin,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/agents",
            _saver(service.save_agent, _fields("username", "extension")),
            permission=admin,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/sounds/{key}", upload_sound, permission=admin, methods=["POST"]
        ),
        guarded_route(
            "/api/callpath/config/{kind}/{key}", delete, permission=admin, methods=["DELETE"]
        ),
        guarded_route(
            "/api/callpath/emergency", emergency_get, permission=Permission.EMERGENCY_SWITCH
        ),
        guarded_route(
            "/api/callpath/emergency",
            emergency_set,
            permission=Permission.EMERGENCY_SWITCH,
            methods=["POST"],
        ),
        guarded_route("/api/callpath/agent", agent_view, permission=Permission.DESK_USE),
        guarded_route(
            "/api/callpath/agent/state",
            agent_state,
            permission=Permission.DESK_USE,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/agent/accept",
            agent_accept,
            permission=Permission.DESK_USE,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/wrapup/force",
            force_wrapup,
            permission=Permission.CALLS_SUPERVISE,
            methods=["POST"],
        ),
        guarded_route("/api/callpath/live", live, permission=Permission.WALLBOARD_VIEW),
        *callback_api.routes(),
        *closures_api.routes(),
    ]
