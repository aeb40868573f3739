"""HTTP routes of supervisor actions on the call path (calls.supervise, all audited)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body
from realtime.auth.permissions import Permission
from realtime.auth.service import Principal
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route, signed_in
from switch.callpath.commands import commands_of
from switch.callpath.supervise import supervision_of


def _text(body: dict[str, Any], name: str, message: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValidationFailed(fields={name: message})
    return value.strip()


async def socket_action(ctx: Any, action: str, principal: Principal, data: Any) -> dict[str, Any]:
    """One supervisor action (HTTP body or /supervisor event data), run on the switch leader."""
    return await commands_of(ctx).supervisor(principal, action=action, data=data)


async def run_supervisor_action(
    ctx: Any, action: str, principal: Principal, data: Any
) -> dict[str, Any]:
    """One supervisor action on this process's call path; the JSON answer."""
    body: dict[str, Any] = data if isinstance(data, dict) else {}
    sup = supervision_of(ctx)
    if action == "supervise":
        contact_id = _text(body, "contact_id", "通話を指定してください。") or ""
        mode = _text(body, "mode", "listen / whisper / barge を指定してください。") or ""
        return await sup.supervise(principal, contact_id=contact_id, mode=mode)
    if action == "supervise_stop":
        contact_id = _text(body, "contact_id", "通話を指定してください。") or ""
        return await sup.stop(principal, contact_id=contact_id)
    if action == "force_not_ready":
        agent = _text(body, "agent", "対象のオペレーターを指定してください。") or ""
        reason = _text(body, "reason", "理由を入力してください（200文字まで）。") or ""
        return await sup.force_not_ready(principal, agent=agent, reason=reason)
    if action == "requeue":
        contact_id = _text(body, "contact_id", "通話を指定してください。") or ""
        queue_id = _text(body, "queue_id", "待ち行列を指定してください。", required=False)
        return await sup.requeue(principal, contact_id=contact_id, queue_id=queue_id)
    raise ValidationFailed(fields={"action": "不明な操作です。"})


def _endpoint(action: str, doc: str) -> Any:
    async def endpoint(request: Request) -> Response:
        principal = await signed_in(request)
        body = await json_body(request)
        return JSONResponse(await socket_action(context_of(request), action, principal, body))

    endpoint.__doc__ = doc
    return endpoint


supervise = _endpoint("supervise", "Listen, whisper or barge on a call, or switch the mode.")
supervise_stop = _endpoint("supervise_stop", "End one's own monitor of a call.")
not_ready = _endpoint("force_not_ready", "Force a ready (or not-ready) agent to not ready.")
requeue = _endpoint("requeue", "Send a waiting or ringing call back to a queue.")


def routes() -> list[BaseRoute]:
    """The supervisor routes of the call path."""
    supervise_perm = Permission.CALLS_SUPERVISE
    return [
        guarded_route(
            "/api/callpath/supervise", supervise, permission=supervise_perm, methods=["POST"]
        ),
        guarded_route(
            "/api/callpath/supervise/stop",
            supervise_stop,
            permission=supervise_perm,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/agents/not-ready",
            not_ready,
            permission=supervise_perm,
            methods=["POST"],
        ),
        guarded_route(
            "/api/callpath/requeue", requeue, permission=supervise_perm, methods=["POST"]
        ),
    ]
