"""/healthz (alive), /readyz (database and each connected subsystem), /metrics (Prometheus)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from realtime.http.context import context_of

Check = Callable[[], Awaitable[None]]


class Readiness:
    """Named readiness checks; subsystems (switch, IMAP...) add theirs when they start."""

    def __init__(self) -> None:
        self.checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self.checks[name] = check

    async def run(self) -> dict[str, str]:
        results: dict[str, str] = {}
        for name, check in self.checks.items():
            try:
                await check()
                results[name] = "ok"
            except Exception:  # any failure means not ready; the detail stays in the log
                results[name] = "unavailable"
        return results


class Metrics:
    """The app's Prometheus registry (one per app, so tests stay independent)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "madoguchi_http_requests_total",
            "HTTP requests by status class",
            ["status"],
            registry=self.registry,
        )
        self.rejections = Counter(
            "madoguchi_rejections_total",
            "Requests and events refused, by error id",
            ["error"],
            registry=self.registry,
        )
        self.ready = Gauge(
            "madoguchi_subsystem_ready",
            "1 when a subsystem answers",
            ["subsystem"],
            registry=self.registry,
        )


async def healthz(request: Request) -> Response:
    """The process is alive."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Every subsystem answers."""
    ctx = context_of(request)
    results = await ctx.readiness.run()
    metrics: Metrics = ctx.extras["metrics"]
    for name, state in results.items():
        metrics.ready.labels(subsystem=name).set(1 if state == "ok" else 0)
    ready = all(state == "ok" for state in results.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not-ready", "checks": results}
    leader = ctx.extras.get("switch_leader")
    if leader is not None:
        body["switch"] = leader.describe()  # role: leader / follower (switch/scaleout)
    return JSONResponse(
        body,
        status_code=200 if ready else 503,
    )


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus text (route: metrics.read, or the scraper's bearer token)."""
    metrics: Metrics = context_of(request).extras["metrics"]
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
