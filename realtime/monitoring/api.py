"""Alert routes: list, and acknowledge (wallboard.view: whoever watches the board may say an
alert is being handled; the acknowledgement is audited and pushed to every board)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from realtime.auth.permissions import Permission
from realtime.http.context import client_ip, context_of
from realtime.http.guard import current_principal, guarded_route
from realtime.monitoring import store
from realtime.monitoring.errors import AlertNotFound
from realtime.monitoring.models import Alert
from realtime.monitoring.subsystem import MONITOR_KEY, Monitor
from realtime.timeutil import utcnow


async def list_alerts(request: Request) -> Response:
    """Open alerts and those cleared in the last 12 hours."""
    ctx = context_of(request)

    def run() -> list[dict[str, object]]:
        with ctx.db.session() as session:
            return [store.public(a) for a in store.recent(session, now=utcnow())]

    return JSONResponse({"alerts": await ctx.db.run(run)})


async def acknowledge(request: Request) -> Response:
    """Acknowledge one alert (audited) and push its new state."""
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    raw = request.path_params["alert_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise AlertNotFound(alert_id=raw[:32])

    def run() -> Alert:
        with ctx.db.session() as session:
            return store.acknowledge(
                session,
                alert_id=int(raw),
                actor=principal.username,
                ip=client_ip(request),
                now=utcnow(),
            )

    alert = await ctx.db.run(run)
    monitor: Monitor | None = ctx.extras.get(MONITOR_KEY)
    if monitor is not None:
        await monitor.push(alert)
    return JSONResponse({"alert": store.public(alert)})


def routes() -> list[BaseRoute]:
    """The monitoring routes with the permission each needs."""
    p = Permission
    return [
        guarded_route("/api/monitoring/alerts", list_alerts, permission=p.WALLBOARD_VIEW),
        guarded_route(
            "/api/monitoring/alerts/{alert_id}/acknowledge",
            acknowledge,
            permission=p.WALLBOARD_VIEW,
            methods=["POST"],
        ),
    ]
