"""QA routes: forms, evaluating a recording, evaluations and monthly averages per agent."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body, optional_int, username
from mediastore.qa import service
from mediastore.recordings.context import viewer_of
from mediastore.recordings.params import moment
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


async def forms(request: Request) -> Response:
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return service.list_forms(session)

    return JSONResponse({"forms": await ctx.db.run(load)})


async def create_form(request: Request) -> Response:
    """A new form: name and criteria [{label, max_score}]."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    criteria = body.get("criteria")
    if not isinstance(criteria, list):
        raise ValidationFailed(fields={"criteria": "評価項目の一覧を指定してください。"})

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return service.create_form(
                session, name=str(body.get("name") or ""), criteria=criteria, actor=actor
            )

    return JSONResponse(await ctx.db.run(do), status_code=201)


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(fields={name: "項目IDごとに指定してください。"})
    return {str(k): v for k, v in value.items()}


async def evaluate(request: Request) -> Response:
    """Score a recording with a form: scores and comments keyed by criterion id."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    body = await json_body(request)
    recording_id = request.path_params["recording_id"]
    form_id = optional_int(body.get("form_id"), "form_id")
    scores = _mapping(body.get("scores"), "scores")
    comments = _mapping(body.get("comments"), "comments")

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return service.evaluate(
                session,
                viewer=viewer,
                recording_id=recording_id,
                form_id=form_id if form_id is not None else -1,
                scores=scores,
                comments=comments,
                comment=str(body.get("comment") or ""),
            )

    return JSONResponse(await ctx.db.run(do), status_code=201)


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {
        "agent": q.get("agent") or None,
        "start": moment(q.get("from"), "from", upper=False),
        "end": moment(q.get("to"), "to", upper=True),
    }


async def evaluations(request: Request) -> Response:
    """Evaluations: agents see their own, supervisors and QA monitors everyone's."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    filters = _filters(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return service.list_evaluations(session, viewer=viewer, **filters)

    return JSONResponse({"evaluations": await ctx.db.run(load)})


async def averages(request: Request) -> Response:
    """Average scores per agent and month."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    filters = _filters(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return service.averages(session, viewer=viewer, **filters)

    return JSONResponse({"averages": await ctx.db.run(load)})


def routes() -> list[BaseRoute]:
    """The QA routes."""
    return [
        guarded_route("/api/media/qa/forms", forms, permission=Permission.QA_EVALUATE),
        guarded_route(
            "/api/media/qa/forms", create_form, permission=Permission.QA_EVALUATE, methods=["POST"]
        ),
        guarded_route(
            "/api/media/recordings/{recording_id}/evaluations",
            evaluate,
            permission=Permission.QA_EVALUATE,
            methods=["POST"],
        ),
        guarded_route(
            "/api/media/qa/evaluations", evaluations, permission=Permission.RECORDINGS_LISTEN
        ),
        guarded_route("/api/media/qa/averages", averages, permission=Permission.RECORDINGS_LISTEN),
    ]
