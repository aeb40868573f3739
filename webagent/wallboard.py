"""The supervisor wallboard page (/wallboard): live tiles, alerts, queues and agents, and the
supervisor's controls on the call path (listen / whisper / barge, force not ready, force the end
of wrap-up, emergency mode), each shown only when its route exists and the person may use it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import current_principal, guarded_route
from realtime.monitoring.config import MonitorSettings
from webagent.desk import route_exists
from webagent.views import render

SUPERVISE_ROUTE = "/api/callpath/supervise"
SUPERVISE_STOP_ROUTE = "/api/callpath/supervise/stop"
NOT_READY_ROUTE = "/api/callpath/agents/not-ready"
FORCE_WRAPUP_ROUTE = "/api/callpath/wrapup/force"
EMERGENCY_ROUTE = "/api/callpath/emergency"
LIVE_ROUTE = "/api/callpath/live"


async def wallboard(request: Request) -> Response:
    """The page; every figure arrives over Socket.IO (/supervisor snapshot, then pushes)."""
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    settings: MonitorSettings = ctx.extras.get("monitoring.settings") or MonitorSettings()
    supervise = principal.can(Permission.CALLS_SUPERVISE)

    def offered(path: str, method: str = "POST") -> bool:
        return route_exists(request, path, method)

    return render(
        request,
        "wallboard.html",
        {
            "service_level_target": settings.service_level_target,
            "queue_wait_seconds": settings.queue_wait_seconds,
            "supervise_enabled": supervise and offered(SUPERVISE_ROUTE),
            "supervise_stop_enabled": supervise and offered(SUPERVISE_STOP_ROUTE),
            "not_ready_enabled": supervise and offered(NOT_READY_ROUTE),
            "force_wrapup_enabled": supervise and offered(FORCE_WRAPUP_ROUTE),
            "emergency_enabled": principal.can(Permission.EMERGENCY_SWITCH)
            and offered(EMERGENCY_ROUTE, "GET")
            and offered(EMERGENCY_ROUTE),
            "live_enabled": offered(LIVE_ROUTE, "GET"),
        },
    )


def routes() -> list[BaseRoute]:
    """The wallboard route."""
    return [guarded_route("/wallboard", wallboard, permission=Permission.WALLBOARD_VIEW)]
