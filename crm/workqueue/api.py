"""Work-queue routes for agents: the to-do list, offers, taking, parking, closing, call-backs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import flag, json_body, optional_int, username
from crm.workqueue import service as queue
from crm.workqueue.models import ItemKind, ItemResult
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


def _item(view: queue.WorkItemView | None) -> dict[str, Any]:
    return {"item": view.to_json() if view else None}


async def todo(request: Request) -> Response:
    """The to-do list (要対応リスト): every open item, earliest due first."""
    ctx = context_of(request)
    agent = await username(request)
    raw = request.query_params.getlist("kind")
    try:
        kinds = [ItemKind(k) for k in raw]
    except ValueError:
        raise ValidationFailed(
            fields={"kind": "call・email・fax・callback を指定してください。"}
        ) from None
    mine = flag(request.query_params.get("mine", ""))

    def load() -> list[queue.WorkItemView]:
        with ctx.db.session() as session:
            return queue.open_items(session, kinds=kinds or None, owner=agent if mine else None)

    return JSONResponse({"items": [i.to_json() for i in await ctx.db.run(load)]})


async def offer(request: Request) -> Response:
    """Reserve the next item this agent may work, by skill (nothing while on a call)."""
    ctx = context_of(request)
    agent = await username(request)
    body = await json_body(request)
    skills = body.get("skills", [])
    if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
        raise ValidationFailed(fields={"skills": "スキルの一覧で指定してください。"})

    def do() -> queue.WorkItemView | None:
        with ctx.db.session() as session:
            return queue.offer_next(
                session,
                agent=agent,
                skills=[s[:64] for s in skills[:50]],
                agent_busy_on_call=flag(body.get("on_call", False)),
            )

    return JSONResponse(_item(await ctx.db.run(do)))


async def callback_request(request: Request) -> Response:
    """Queue a call-back; the number is kept sealed in the item only."""
    ctx = context_of(request)
    agent = await username(request)
    body = await json_body(request)
    number = body.get("number")
    if not isinstance(number, str):
        raise ValidationFailed(fields={"number": "折り返し先の電話番号を入力してください。"})
    due = _due(body.get("due_at"))
    contact_id = body.get("contact_id")
    if contact_id is not None and (not isinstance(contact_id, str) or len(contact_id) > 36):
        raise ValidationFailed(fields={"contact_id": "応対IDが正しくありません。"})
    skill = body.get("skill")
    if skill is not None and (not isinstance(skill, str) or len(skill) > 64):
        raise ValidationFailed(fields={"skill": "スキルが正しくありません。"})

    def do() -> queue.WorkItemView:
        with ctx.db.session() as session:
            return queue.request_callback(
                session,
                number=number,
                box=queue.number_box(ctx.secret),
                contact_id=contact_id,
                skill=skill,
                agent=agent,
                due_at=due,
            )

    return JSONResponse(_item(await ctx.db.run(do)), status_code=201)


def _due(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            fields={"due_at": "期限はタイムゾーン付きの ISO 8601 形式で入力してください。"}
        )
    return parsed


async def take(request: Request) -> Response:
    ctx = context_of(request)
    agent = await username(request)
    body = await json_body(request)
    version = optional_int(body.get("version"), "version")
    item_id = request.path_params["item_id"]

    def do() -> queue.WorkItemView:
        with ctx.db.session() as session:
            return queue.take(
                session,
                item_id=item_id,
                agent=agent,
                expected_version=version,
                agent_busy_on_call=flag(body.get("on_call", False)),
            )

    return JSONResponse(_item(await ctx.db.run(do)))


async def park(request: Request) -> Response:
    ctx = context_of(request)
    agent = await username(request)
    item_id = request.path_params["item_id"]

    def do() -> queue.WorkItemView:
        with ctx.db.session() as session:
            return queue.park(session, item_id=item_id, agent=agent)

    return JSONResponse(_item(await ctx.db.run(do)))


async def resume(request: Request) -> Response:
    ctx = context_of(request)
    agent = await username(request)
    body = await json_body(request)
    item_id = request.path_params["item_id"]

    def do() -> queue.WorkItemView:
        with ctx.db.session() as session:
            return queue.resume(
                session,
                item_id=item_id,
                agent=agent,
                agent_busy_on_call=flag(body.get("on_call", False)),
            )

    return JSONResponse(_item(await ctx.db.run(do)))


async def release(request: Request) -> Response:
    ctx = context_of(request)
    agent = await username(request)
    item_id = request.path_params["item_id"]

    def do() -> queue.WorkItemView:
        with ctx.db.session() as session:
            return queue.release(session, item_id=item_id, agent=agent)

    return JSONResponse(_item(await ctx.db.run(do)))


async def complete(request: Request) -> Response:
    ctx = context_of(request)
    agent = await username(request)
    body = await json_body(request)
    item_id = request.path_params["item_id"]
    try:
        result = ItemResult(str(body.get("result", "")))
    except ValueError:
        allowed = "・".join(r.value for r in ItemResult)
        raise ValidationFailed(fields={"result": f"結果は {allowed} のいずれかです。"}) from None
    dept = body.get("dept_id")
    if dept is not None and not isinstance(dept, str):
        raise ValidationFailed(fields={"dept_id": "転送先の係を指定してください。"})

    def do() -> queue.WorkItemView:
        with ctx.db.session() as session:
            return queue.complete(
                session, item_id=item_id, agent=agent, result=result, dept_id=dept
            )

    return JSONResponse(_item(await ctx.db.run(do)))


async def number(request: Request) -> Response:
    """The call-back number, for the agent working the item only (audited, never cached)."""
    ctx = context_of(request)
    agent = await username(request)
    item_id = request.path_params["item_id"]

    def do() -> str:
        with ctx.db.session() as session:
            return queue.callback_number(
                session, item_id=item_id, agent=agent, box=queue.number_box(ctx.secret)
            )

    value = await ctx.db.run(do)
    return JSONResponse({"number": value}, headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    """The work-queue routes; all for agents at the desk."""
    desk = Permission.DESK_USE
    one = "/api/crm/workqueue/{item_id}"
    post = ["POST"]
    return [
        guarded_route("/api/crm/workqueue", todo, permission=desk),
        guarded_route("/api/crm/workqueue/offer", offer, permission=desk, methods=post),
        guarded_route(
            "/api/crm/workqueue/callbacks", callback_request, permission=desk, methods=post
        ),
        guarded_route(f"{one}/take", take, permission=desk, methods=post),
        guarded_route(f"{one}/park", park, permission=desk, methods=post),
        guarded_route(f"{one}/resume", resume, permission=desk, methods=post),
        guarded_route(f"{one}/release", release, permission=desk, methods=post),
        guarded_route(f"{one}/complete", complete, permission=desk, methods=post),
        guarded_route(f"{one}/number", number, permission=desk),
    ]
