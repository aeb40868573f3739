"""GET /api/live/kpi?date=YYYY-MM-DD (reports.view): a day's wallboard figures on demand."""

from __future__ import annotations

import dataclasses
import datetime as dt

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from cms.kpi.settings import KpiSettings
from cms.live.day import DayFigures, day_figures
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route
from realtime.monitoring.config import MonitorSettings
from realtime.monitoring.errors import InvalidDate
from realtime.timeutil import utcnow

SETTINGS_KEY = "monitoring.settings"


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidDate(value=value) from None
    if not 1900 <= day.year <= 9000:
        raise InvalidDate(value=value)
    return day


async def day_kpis(request: Request) -> Response:
    """Today so far or any past day: totals, this (or the last) half hour, all 48 half hours."""
    ctx = context_of(request)
    day = _day(request.query_params.get("date", ""))
    settings: MonitorSettings = ctx.extras.get(SETTINGS_KEY) or MonitorSettings()
    kpi = dataclasses.replace(KpiSettings(), answer_target_percent=settings.service_level_target)

    def run() -> DayFigures:
        with ctx.db.session() as session:
            return day_figures(
                session,
                day=day,
                now=utcnow(),
                settings=kpi,
                near=dt.timedelta(hours=settings.items_near_hours),
                item_window=dt.timedelta(days=settings.item_window_days),
            )

    return JSONResponse((await ctx.db.run(run)).to_dict())


def routes() -> list[BaseRoute]:
    """The live KPI route."""
    return [guarded_route("/api/live/kpi", day_kpis, permission=Permission.REPORTS_VIEW)]
