"""The supervisor wallboard page (/wallboard): live tiles, alerts, queues and agents."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import current_principal, guarded_route
from realtime.monitoring.config import MonitorSettings
from webagent.views import render


async def wallboard(request: Request) -> Response:
    """The page; every figure arrives over Socket.IO (/supervisor snapshot, then pushes)."""
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    settings: MonitorSettings = ctx.extras.get("monitoring.settings") or MonitorSettings()
    return render(
        request,
        "wallboard.html",
        {
            "service_level_target": settings.service_level_target,
            "queue_wait_seconds": settings.queue_wait_seconds,
        },
    )


def routes() -> list[BaseRoute]:
    """The wallboard route."""
    return [guarded_route("/wallboard", wallboard, permission=Permission.WALLBOARD_VIEW)]
