"""Desk routes of call-backs and the survey under /api/callpath/ (permission desk.use)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route, signed_in
from switch.callpath.commands import commands_of


async def dial(request: Request) -> Response:
    """Call the citizen back: the agent's phone rings (auto-answer) and is bridged to them."""
    principal = await signed_in(request)
    item_id = request.path_params["item_id"]
    return JSONResponse(
        await commands_of(context_of(request)).callback_dial(principal, item_id=item_id)
    )


async def close(request: Request) -> Response:
    """Record the agent's verdict and close the call-back (its number is erased)."""
    principal = await signed_in(request)
    body = await json_body(request)
    outcome = body.get("outcome")
    if not isinstance(outcome, str):
        raise ValidationFailed(
            fields={"outcome": "reached・no_answer・wrong_number・cancelled のいずれかです。"}
        )
    item_id = request.path_params["item_id"]
    commands = commands_of(context_of(request))
    return JSONResponse(await commands.callback_close(principal, item_id=item_id, outcome=outcome))


async def survey(request: Request) -> Response:
    """Hand the connected caller to the satisfaction survey instead of hanging up."""
    principal = await signed_in(request)
    return JSONResponse(await commands_of(context_of(request)).survey(principal))


def routes() -> list[BaseRoute]:
    """The call-back and survey routes of the agent desk."""
    desk, post = Permission.DESK_USE, ["POST"]
    one = "/api/callpath/callbacks/{item_id}"
    return [
        guarded_route(f"{one}/dial", dial, permission=desk, methods=post),
        guarded_route(f"{one}/close", close, permission=desk, methods=post),
        guarded_route("/api/callpath/survey", survey, permission=desk, methods=post),
    ]
