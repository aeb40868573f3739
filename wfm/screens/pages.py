"""The /wfm screens (server-rendered, no JavaScript) and their CSV / Excel exports."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.templating import Jinja2Templates

import webagent
from realtime.auth.permissions import PUBLIC, ROLE_LABELS_JA, Permission
from realtime.errors import NotFound, ValidationFailed
from realtime.http import csrf
from realtime.http.context import context_of
from realtime.http.guard import guarded_route
from realtime.timeutil import JST, format_jst, utcnow
from wfm.adherence.compute import EXCEPTION_LABELS_JA, AdherenceReport
from wfm.adherence.service import day_adherence
from wfm.export import XLSX_TYPE, Format, Sheet, export, to_xlsx
from wfm.screens import data
from wfm.screens.charts import Series, bar_chart, line_chart
from wfm.shifts import service
from wfm.shifts.models import ScheduleRow
from wfm.staffing.requirement import StaffingTarget

HERE = Path(__file__).parent
CSS = (HERE / "wfm.css").read_text(encoding="utf-8")
ADHERENCE_JS = (HERE / "adherence.js").read_text(encoding="utf-8")
MAX_RANGE_DAYS = 370

_templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(HERE / "templates")),
                FileSystemLoader(str(Path(webagent.__file__).parent / "templates")),
            ]
        ),
        autoescape=True,
    )
)
_templates.env.filters["jst"] = format_jst


def _render(request: Request, template: str, values: dict[str, Any]) -> Response:
    ctx = context_of(request)
    values = {
        "csrf_token": csrf.page_token(request, ctx.secret),
        "principal": request.scope.get("state", {}).get("principal"),
        "role_labels": ROLE_LABELS_JA,
        "Permission": Permission,
        **values,
    }
    return _templates.TemplateResponse(request, template, values)


def _bad(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={name: message})


def _date(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, "YYYY-MM-DD 形式の日付で指定してください。") from None


def _num(request: Request, name: str, default: float | None) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _bad(name, "数値で指定してください。")
    return value


def _required(request: Request, name: str, default: float) -> float:
    value = _num(request, name, default)
    return default if value is None else value


def _today() -> date:
    return datetime.now(JST).date()


def _fmt(request: Request) -> Format:
    fmt = request.path_params.get("fmt")
    if fmt == "csv":
        return "csv"
    if fmt == "xlsx":
        return "xlsx"
    raise NotFound()


def _download(payload: bytes, media: str, name: str) -> Response:
    return Response(
        payload,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _send(sheet: Sheet, request: Request, stem: str) -> Response:
    fmt = _fmt(request)
    payload, media = export(sheet, fmt)
    return _download(payload, media, f"{stem}.{fmt}")


async def stylesheet(request: Request) -> Response:
    """The screens' stylesheet (served from here: the CSP allows only same-origin styles)."""
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


async def adherence_script(request: Request) -> Response:
    """The adherence screen's live update (same-origin script, as the CSP requires)."""
    return Response(
        ADHERENCE_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"}
    )


async def index(request: Request) -> Response:
    """The WFM start page: the screens and the stored schedules."""
    ctx = context_of(request)

    def load() -> list[ScheduleRow]:
        with ctx.db.session() as session:
            return service.list_schedules(session)

    return _render(request, "wfm_index.html", {"schedules": await ctx.db.run(load)})


async def _forecast_view(request: Request) -> data.ForecastView:
    ctx = context_of(request)
    today = _today()
    start = _date(request, "from", today - timedelta(days=27))
    end = _date(request, "to", today + timedelta(days=7))
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise _bad("to", f"期間は開始日から終了日まで {MAX_RANGE_DAYS} 日以内です。")

    def load() -> data.ForecastView:
        with ctx.db.session() as session:
            return data.forecast_vs_actual(session, start=start, end=end)

    return await ctx.db.run(load)


async def forecast(request: Request) -> Response:
    """Forecast against actual calls per day, as a chart and a table."""
    view = await _forecast_view(request)
    chart = line_chart(
        chart_id="forecast-chart",
        title="日別の予測呼数と実績呼数",
        labels=[d.strftime("%m/%d") for d, _, _ in view.days],
        series=[
            Series("予測", [None if f is None else float(f) for _, f, _ in view.days]),
            Series("実績", [float(a) for _, _, a in view.days]),
        ],
    )
    return _render(
        request, "wfm_forecast.html", {"view": view, "chart": chart, "query": request.url.query}
    )


async def forecast_export(request: Request) -> Response:
    """The forecast against actuals as CSV or Excel."""
    view = await _forecast_view(request)
    return _send(view.sheet(), request, f"forecast_{view.start}_{view.end}")


@dataclass(frozen=True)
class StaffingForm:
    """The staffing screen's inputs."""

    day: date
    calls: float | None
    aht: float
    patience: float | None
    sl: float


async def _staffing_view(request: Request) -> tuple[data.StaffingView, StaffingForm]:
    ctx = context_of(request)
    form = StaffingForm(
        day=_date(request, "day", _today()),
        calls=_num(request, "calls", None),
        aht=_required(request, "aht", 180.0),
        patience=_num(request, "patience", 120.0),
        sl=_required(request, "sl", 80.0),
    )
    if form.calls is not None and form.calls < 0:
        raise _bad("calls", "呼数は 0 以上で指定してください。")
    target = StaffingTarget(service_level=form.sl / 100)

    def load() -> data.StaffingView:
        with ctx.db.session() as session:
            return data.staffing_view(
                session, day=form.day, calls=form.calls, aht_s=form.aht,
                patience_s=form.patience, target=target,
            )  # fmt: skip

    return await ctx.db.run(load), form


async def staffing(request: Request) -> Response:
    """The staffing table of a day: calls, agents by Erlang C and A, predicted service."""
    view, form = await _staffing_view(request)
    chart = None
    if view.rows:
        chart = bar_chart(
            chart_id="staffing-chart",
            title="時間帯別の予測呼数と配置人数",
            labels=[r.label for r in view.rows],
            bars=Series("配置人数", [float(r.scheduled) for r in view.rows]),
            line=Series("必要人数(電話対応)", [float(r.plan.agents) for r in view.rows]),
        )
    return _render(
        request, "wfm_staffing.html",
        {"view": view, "form": form, "chart": chart, "sheet": view.sheet(),
         "query": request.url.query},
    )  # fmt: skip


async def staffing_export(request: Request) -> Response:
    """The staffing table as CSV or Excel."""
    view, _ = await _staffing_view(request)
    return _send(view.sheet(), request, f"staffing_{view.day}")


async def _grid(request: Request) -> data.ScheduleGrid:
    ctx = context_of(request)
    schedule_id = request.path_params["schedule_id"]

    def load() -> data.ScheduleGrid:
        with ctx.db.session() as session:
            return data.schedule_grid(service.get_schedule(session, schedule_id=schedule_id))

    return await ctx.db.run(load)


async def schedule(request: Request) -> Response:
    """The schedule grid (agents x days) and coverage against the requirement for one day."""
    grid = await _grid(request)
    day = _date(request, "day", grid.days[0])
    if day not in grid.coverage:
        day = grid.days[0]
    slots = grid.coverage[day]
    chart = bar_chart(
        chart_id="coverage-chart",
        title=f"{day.isoformat()} の必要人数と配置人数",
        labels=[s[0] for s in slots],
        bars=Series("配置人数", [s[2] for s in slots]),
        line=Series("必要人数", [float(s[1]) for s in slots]),
    )
    return _render(
        request, "wfm_schedule.html",
        {"grid": grid, "day": day, "slots": slots, "chart": chart,
         "schedule_id": request.path_params["schedule_id"]},
    )  # fmt: skip


async def schedule_export(request: Request) -> Response:
    """The schedule grid as CSV or Excel (Excel adds the coverage of every day)."""
    grid = await _grid(request)
    fmt = _fmt(request)
    if fmt == "csv":
        return _send(grid.sheet(), request, "schedule")
    cover = Sheet(
        "充足",
        ("日付", "時間帯", "必要人数", "配置人数"),
        tuple(
            (d.isoformat(), s[0], s[1], round(s[2], 2)) for d in grid.days for s in grid.coverage[d]
        ),
    )
    return _download(to_xlsx([grid.sheet(), cover]), XLSX_TYPE, "schedule.xlsx")


async def _adherence(request: Request) -> AdherenceReport:
    ctx = context_of(request)
    day = _date(request, "day", _today())
    now = utcnow()

    def load() -> AdherenceReport:
        with ctx.db.session() as session:
            return day_adherence(session, day=day, now=now)

    return await ctx.db.run(load)


async def adherence(request: Request) -> Response:
    """Adherence so far per agent and the exceptions (recomputed at each load)."""
    report = await _adherence(request)
    day = _date(request, "day", _today())
    return _render(
        request, "wfm_adherence.html",
        {"report": report, "day": day, "labels": EXCEPTION_LABELS_JA, "query": request.url.query,
         "live": day == _today()},
    )  # fmt: skip


async def adherence_export(request: Request) -> Response:
    """Adherence and exceptions as CSV (per agent) or Excel (both sheets)."""
    report = await _adherence(request)
    agents, exceptions = data.adherence_sheet(report)
    fmt = _fmt(request)
    if fmt == "csv":
        return _send(agents, request, "adherence")
    return _download(to_xlsx([agents, exceptions]), XLSX_TYPE, "adherence.xlsx")


def routes() -> list[BaseRoute]:
    """The screens: reads for reports.view, adherence for supervisors (wallboard.view)."""
    read = Permission.REPORTS_VIEW
    live = Permission.WALLBOARD_VIEW
    return [
        guarded_route("/wfm/static/wfm.css", stylesheet, permission=PUBLIC),
        guarded_route("/wfm/static/adherence.js", adherence_script, permission=PUBLIC),
        guarded_route("/wfm", index, permission=read),
        guarded_route("/wfm/forecast", forecast, permission=read),
        guarded_route("/wfm/forecast/export/{fmt}", forecast_export, permission=read),
        guarded_route("/wfm/staffing", staffing, permission=read),
        guarded_route("/wfm/staffing/export/{fmt}", staffing_export, permission=read),
        guarded_route("/wfm/schedules/{schedule_id}", schedule, permission=read),
        guarded_route(
            "/wfm/schedules/{schedule_id}/export/{fmt}", schedule_export, permission=read
        ),
        guarded_route("/wfm/adherence", adherence, permission=live),
        guarded_route("/wfm/adherence/export/{fmt}", adherence_export, permission=live),
    ]
