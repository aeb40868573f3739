"""Talk-script routes: the screen pop's lookup for agents, editing for administrators."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body, optional_int, username
from crm.scripts import service as scripts
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route

MAX_CSV_BYTES = 2 * 1024 * 1024


async def screen_pop(request: Request) -> Response:
    """The script for the caller's menu (or the work type), for the screen pop."""
    ctx = context_of(request)
    menu = request.query_params.get("menu") or None
    work_type = request.query_params.get("work_type") or None

    def load() -> scripts.ScriptView | None:
        with ctx.db.session() as session:
            return scripts.script_for(session, menu=menu, work_type=work_type)

    found = await ctx.db.run(load)
    return JSONResponse({"script": found.to_json() if found else None})


async def script_list(request: Request) -> Response:
    ctx = context_of(request)

    def load() -> list[scripts.ScriptView]:
        with ctx.db.session() as session:
            return scripts.list_scripts(session)

    return JSONResponse({"scripts": [s.to_json() for s in await ctx.db.run(load)]})


async def script_detail(request: Request) -> Response:
    ctx = context_of(request)
    script_id = request.path_params["script_id"]

    def load() -> scripts.ScriptView:
        with ctx.db.session() as session:
            return scripts.get_script(session, script_id=script_id)

    return JSONResponse((await ctx.db.run(load)).to_json())


async def script_save(request: Request) -> Response:
    """Create or change one script (administrators only, audited)."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    script_id = request.path_params["script_id"]
    version = optional_int(body.pop("version", None), "version")

    def do() -> scripts.ScriptView:
        with ctx.db.session() as session:
            return scripts.save_script(
                session, script_id=script_id, data=body, actor=actor, expected_version=version
            )

    return JSONResponse((await ctx.db.run(do)).to_json())


async def script_import(request: Request) -> Response:
    """Import a talk-script CSV sent as the request body (UTF-8 or Shift_JIS)."""
    ctx = context_of(request)
    actor = await username(request)
    data = await request.body()
    name = (request.query_params.get("source") or "upload")[:100]

    def do() -> scripts.ScriptImport:
        with ctx.db.session() as session:
            return scripts.import_csv(session, data=data, actor=actor, source=name)

    result = await ctx.db.run(do)
    return JSONResponse(
        {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "encoding": result.encoding,
        }
    )


def routes() -> list[BaseRoute]:
    """The talk-script routes with the permission each needs."""
    p = Permission
    one = "/api/crm/scripts/{script_id}"
    return [
        guarded_route("/api/crm/screen-pop/script", screen_pop, permission=p.DESK_USE),
        guarded_route("/api/crm/scripts", script_list, permission=p.SETTINGS_MANAGE),
        guarded_route(
            "/api/crm/scripts/import",
            script_import,
            permission=p.SETTINGS_MANAGE,
            methods=["POST"],
        ),
        guarded_route(one, script_detail, permission=p.SETTINGS_MANAGE),
        guarded_route(one, script_save, permission=p.SETTINGS_MANAGE, methods=["PUT"]),
    ]
