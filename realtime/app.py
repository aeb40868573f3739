"""Build the ASGI application: Starlette for HTTP, python-socketio for realtime, one object."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

import cms.live.api
import cms.reports.recipients_api
import crm.api
import inbox.api
import inbox.clock.subsystem
import inbox.intake.subsystem
import mediastore.api
import webagent
import wfm.api
from cms.reports import autodraft as daily_autodraft
from mediastore.retention import subsystem as retention_subsystem
from mediastore.transcripts import subsystem as transcription_subsystem
from realtime.auth.permissions import PUBLIC, Permission
from realtime.backup import scheduler as backup_scheduler
from realtime.db import Database
from realtime.errors import MadoguchiError
from realtime.health import Metrics, Readiness, healthz, metrics_endpoint, readyz
from realtime.http.context import AppContext
from realtime.http.csrf import CsrfCookieMiddleware
from realtime.http.errors import handle_http_exception, handle_madoguchi_error, handle_unexpected
from realtime.http.guard import PublicStatic, check_routes, guarded_route
from realtime.http.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from realtime.hub.server import Hub
from realtime.monitoring import api as monitoring_api
from realtime.monitoring import fault_watch
from realtime.monitoring import subsystem as monitoring_subsystem
from realtime.settings import Settings
from realtime.subsystems import Subsystem, SubsystemFactory
from realtime.timeutil import format_jst
from switch.callpath import api as callpath_api
from switch.callpath import subsystem as callpath_subsystem
from switch.callpath import supervise_api as callpath_supervise_api
from switch.callpath import transfer_api as callpath_transfer_api
from switch.scaleout import gate as switch_leader
from switch.standin import traffic as demo_traffic
from webagent import admin_totp as admin_totp_pages
from webagent import city as city_pages
from webagent import dailyreport as daily_report_pages
from webagent import desk as desk_pages
from webagent import views as pages
from webagent import wallboard
from webagent.admin import pages as admin_pages
from wfm.adherence import live as adherence_live

log = logging.getLogger(__name__)

WEBAGENT_DIR = Path(webagent.__file__).parent


def build_context(settings: Settings) -> AppContext:
    """The services of one app, built from settings (nothing read at import time)."""
    db = Database(settings.effective_database_url)
    templates = Jinja2Templates(directory=str(WEBAGENT_DIR / "templates"))
    templates.env.filters["jst"] = format_jst
    readiness = Readiness()
    ctx = AppContext(
        settings=settings,
        db=db,
        templates=templates,
        hub=None,  # type: ignore[arg-type]  # set just below: the hub needs the context
        readiness=readiness,
    )
    ctx.hub = Hub(ctx=ctx)
    ctx.extras["metrics"] = Metrics()

    async def database_ready() -> None:
        await db.run(db.ping)

    readiness.add("database", database_ready)
    if settings.redis_url:
        readiness.add("redis", _redis_check(settings.redis_url))
    return ctx


def _redis_check(url: str) -> Any:
    async def check() -> None:
        import redis.asyncio as aioredis

        client = aioredis.from_url(url, socket_connect_timeout=2)
        try:
            await client.ping()
        finally:
            await client.aclose()

    return check


# Each package's guarded routes; one line per package.
ROUTE_SOURCES: list[Callable[[], list[BaseRoute]]] = [
    pages.routes,
    desk_pages.routes,
    city_pages.routes,
    crm.api.routes,
    monitoring_api.routes,
    cms.live.api.routes,
    wallboard.routes,
    inbox.api.routes,
    mediastore.api.routes,
    wfm.api.routes,
    callpath_api.routes,
    callpath_transfer_api.routes,
    callpath_supervise_api.routes,
    daily_report_pages.routes,
    admin_totp_pages.routes,
    cms.reports.recipients_api.routes,
    admin_pages.routes,
]

# Background parts, started in this order and stopped in reverse; one line per package.
SUBSYSTEM_FACTORIES: list[SubsystemFactory] = [
    switch_leader.build,  # the switch, run by the elected leader only (docs/operations.md)
    callpath_subsystem.build,
    inbox.intake.subsystem.build,
    inbox.clock.subsystem.build,
    backup_scheduler.build,
    monitoring_subsystem.build,
    retention_subsystem.build,
    transcription_subsystem.build,
    adherence_live.build,
    daily_autodraft.build,
    demo_traffic.build,  # standin mode with MADOGUCHI_DEMO_TRAFFIC_PER_HOUR only
    fault_watch.build,  # last: it watches the parts built above
]


def create_app(settings: Settings) -> ASGIApp:
    """The whole server as one ASGI app (HTTP routes plus Socket.IO at /socket.io)."""
    ctx = build_context(settings)
    routes: list[BaseRoute] = [
        guarded_route("/healthz", healthz, permission=PUBLIC),
        guarded_route("/readyz", readyz, permission=PUBLIC),
        guarded_route(
            "/metrics", metrics_endpoint, permission=Permission.METRICS_READ, machine_token=True
        ),
    ]
    for source in ROUTE_SOURCES:
        routes.extend(source())
    routes.append(PublicStatic("/static", directory=str(WEBAGENT_DIR / "static"), name="static"))
    check_routes(routes)
    subsystems = [s for s in (factory(ctx) for factory in SUBSYSTEM_FACTORIES) if s is not None]
    for subsystem in subsystems:
        ctx.readiness.add(subsystem.name, subsystem.ready)
    ctx.extras["subsystems"] = subsystems

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(ctx.hub.run_sweeper(settings.socket_sweep_seconds))
        started: list[Subsystem] = []
        try:
            for subsystem in subsystems:
                await subsystem.start()
                started.append(subsystem)
            yield
        finally:
            for subsystem in reversed(started):
                try:
                    await subsystem.stop()
                except Exception:  # one part failing to stop must not keep the others running
                    log.exception("stopping %s failed", subsystem.name)
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            ctx.db.dispose()

    web = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware, hsts=settings.effective_cookie_secure),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
            Middleware(
                CsrfCookieMiddleware,
                cookie_name=ctx.csrf_cookie_name,
                secure=settings.effective_cookie_secure,
            ),
        ],
        exception_handlers={
            MadoguchiError: handle_madoguchi_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        lifespan=lifespan,
    )
    web.state.ctx = ctx
    asgi = socketio.ASGIApp(ctx.hub.sio, other_asgi_app=web, socketio_path="socket.io")
    asgi.ctx = ctx  # so tests and the CLI reach the services
    return asgi  # type: ignore[no-any-return]
