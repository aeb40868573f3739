"""WFM routes: JSON under /api/wfm/ (schedulers edit, supervisors read) and the /wfm screens."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body, username
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route
from realtime.timeutil import JST, utcnow
from wfm.adherence.compute import AdherenceReport
from wfm.adherence.service import day_adherence
from wfm.screens import pages
from wfm.shifts import service
from wfm.shifts.errors import ShiftInputInvalid
from wfm.shifts.parse import (
    contract_from_json,
    pattern_from_json,
    patterns_from_json,
    requirement_from_json,
    weights_from_json,
)
from wfm.shifts.patterns import ShiftPattern, generate_patterns, parse_hhmm
from wfm.shifts.solver import ScheduleResult, solve_schedule
from wfm.whatif.compare import Outlook, what_if
from wfm.whatif.errors import WhatIfInputInvalid
from wfm.whatif.parse import base_from_json, change_from_json

MAX_TIME_LIMIT_S = 120.0


def _pattern_json(p: ShiftPattern) -> dict[str, Any]:
    return {
        "code": p.code, "kind": p.kind.value, "start_min": p.start_min, "end_min": p.end_min,
        "work_min": p.work_min, "break_min": p.break_min, "break_start_min": p.break_start_min,
        "label": p.label(),
    }  # fmt: skip


async def list_patterns(request: Request) -> Response:
    """Every shift pattern."""
    ctx = context_of(request)

    def load() -> list[ShiftPattern]:
        with ctx.db.session() as session:
            return service.list_patterns(session)

    return JSONResponse({"patterns": [_pattern_json(p) for p in await ctx.db.run(load)]})


async def save_patterns(request: Request) -> Response:
    """Insert or replace patterns: {"patterns": [...]} or {"generate": {open, close, step_min}}."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    gen = body.get("generate")
    if isinstance(gen, dict):
        step = gen.get("step_min", 30)
        if isinstance(step, bool) or not isinstance(step, int):
            raise ShiftInputInvalid("開始間隔は整数(分)です。", field="step_min", value=step)
        patterns = generate_patterns(
            open_min=parse_hhmm(str(gen.get("open", "")), field="open"),
            close_min=parse_hhmm(str(gen.get("close", "")), field="close"),
            step_min=step,
        )
    else:
        patterns = patterns_from_json(body)

    def save() -> None:
        with ctx.db.session() as session:
            service.save_patterns(session, patterns=patterns, actor=actor)

    await ctx.db.run(save)
    return JSONResponse({"patterns": [_pattern_json(p) for p in patterns]})


async def put_pattern(request: Request) -> Response:
    """Insert or replace one pattern under its code."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    pattern = pattern_from_json({**body, "code": request.path_params["code"]})

    def save() -> None:
        with ctx.db.session() as session:
            service.save_patterns(session, patterns=[pattern], actor=actor)

    await ctx.db.run(save)
    return JSONResponse({"pattern": _pattern_json(pattern)})


async def delete_pattern(request: Request) -> Response:
    """Delete one pattern."""
    ctx = context_of(request)
    actor = await username(request)
    code = request.path_params["code"]

    def delete() -> None:
        with ctx.db.session() as session:
            service.delete_pattern(session, code=code, actor=actor)

    await ctx.db.run(delete)
    return JSONResponse({"deleted": code})


def _contract_json(c: Any) -> dict[str, Any]:
    data = asdict(c)
    for key in ("available_weekdays", "preferred_rest_weekdays", "unavailable_days"):
        data[key] = sorted(data[key])
    data["kind"] = c.kind.value
    return data


async def list_contracts(request: Request) -> Response:
    """Every agent contract."""
    ctx = context_of(request)

    def load() -> list[Any]:
        with ctx.db.session() as session:
            return service.list_contracts(session)

    return JSONResponse({"contracts": [_contract_json(c) for c in await ctx.db.run(load)]})


async def put_contract(request: Request) -> Response:
    """Insert or replace one agent's contract (checked against the labour law)."""
    ctx = context_of(request)
    actor = await username(request)
    contract = contract_from_json(request.path_params["agent_id"], await json_body(request))

    def save() -> None:
        with ctx.db.session() as session:
            service.save_contract(session, contract=contract, actor=actor)

    await ctx.db.run(save)
    return JSONResponse({"contract": _contract_json(contract)})


async def delete_contract(request: Request) -> Response:
    """Delete one agent's contract."""
    ctx = context_of(request)
    actor = await username(request)
    agent_id = request.path_params["agent_id"]

    def delete() -> None:
        with ctx.db.session() as session:
            service.delete_contract(session, agent_id=agent_id, actor=actor)

    await ctx.db.run(delete)
    return JSONResponse({"deleted": agent_id})


def _result_json(schedule_id: str, result: ScheduleResult) -> dict[str, Any]:
    return {
        "id": schedule_id,
        "status": result.status,
        "first_day": result.first_day.isoformat(),
        "last_day": result.last_day.isoformat(),
        "under_min": result.under_min,
        "over_min": result.over_min,
        "wall_s": round(result.wall_s, 2),
        "warnings": list(result.warnings),
        "assignments": [
            {"agent_id": a.agent_id, "day": a.day.isoformat(), "pattern": a.pattern.code,
             "label": a.pattern.label(), "work_min": a.pattern.work_min}
            for a in result.assignments
        ],
    }  # fmt: skip


async def create_schedule(request: Request) -> Response:
    """Solve a schedule for the stored patterns and contracts and store it."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    name = str(body.get("name", ""))
    service.check_name(name)
    requirement = requirement_from_json(body)
    weights = weights_from_json(body.get("weights") or {})
    limit = body.get("time_limit_s", 20)
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise ShiftInputInvalid("制限時間は秒数です。", field="time_limit_s", value=limit)
    limit = min(float(limit), MAX_TIME_LIMIT_S)

    def load() -> tuple[list[Any], list[ShiftPattern]]:
        with ctx.db.session() as session:
            return service.list_contracts(session), service.list_patterns(session)

    contracts, patterns = await ctx.db.run(load)
    result = await anyio.to_thread.run_sync(
        lambda: solve_schedule(
            requirement=requirement, contracts=contracts, patterns=patterns, weights=weights,
            time_limit_s=limit,
        )
    )  # fmt: skip

    def store() -> str:
        with ctx.db.session() as session:
            return service.store_schedule(
                session, name=name, requirement=requirement, result=result, actor=actor
            )

    schedule_id = await ctx.db.run(store)
    return JSONResponse(_result_json(schedule_id, result), status_code=201)


async def list_schedules(request: Request) -> Response:
    """Every schedule, newest first (no assignments)."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [
                {"id": r.id, "name": r.name, "first_day": r.first_day.isoformat(),
                 "last_day": r.last_day.isoformat(), "status": r.status,
                 "under_min": r.under_min, "over_min": r.over_min,
                 "created_by": r.created_by, "created_at": r.created_at.isoformat()}
                for r in service.list_schedules(session)
            ]  # fmt: skip

    return JSONResponse({"schedules": await ctx.db.run(load)})


async def get_schedule(request: Request) -> Response:
    """One schedule with its assignments."""
    ctx = context_of(request)
    schedule_id = request.path_params["schedule_id"]

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            stored = service.get_schedule(session, schedule_id=schedule_id)
            r = stored.row
            return {
                "id": r.id, "name": r.name, "first_day": r.first_day.isoformat(),
                "last_day": r.last_day.isoformat(), "status": r.status,
                "under_min": r.under_min, "over_min": r.over_min,
                "assignments": [
                    {"agent_id": a.agent_id, "day": a.day.isoformat(), "pattern": a.pattern_code,
                     "start_at": a.start_at.isoformat(), "end_at": a.end_at.isoformat(),
                     "break_start_at": a.break_start_at.isoformat() if a.break_start_at else None,
                     "break_end_at": a.break_end_at.isoformat() if a.break_end_at else None,
                     "work_min": a.work_min}
                    for a in stored.assignments
                ],
            }  # fmt: skip

    return JSONResponse(await ctx.db.run(load))


def adherence_json(report: AdherenceReport) -> dict[str, Any]:
    """An adherence report as JSON."""
    return {
        "now": report.now.isoformat(),
        "adherence": report.adherence,
        "agents": [
            {"agent_id": a.agent_id, "scheduled_min": a.scheduled_min,
             "adherent_min": a.adherent_min, "adherence": a.adherence, "state_now": a.state_now,
             "exceptions": len(a.exceptions)}
            for a in report.agents
        ],
        "exceptions": [
            {"agent_id": x.agent_id, "kind": x.kind.value, "start_at": x.start_at.isoformat(),
             "minutes": x.minutes, "reason": x.reason}
            for x in report.exceptions
        ],
    }  # fmt: skip


def day_param(request: Request) -> date:
    """``day`` (YYYY-MM-DD, Japan time), today by default."""
    raw = request.query_params.get("day")
    if not raw:
        return datetime.now(JST).date()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ShiftInputInvalid("日付は YYYY-MM-DD 形式です。", field="day", value=raw) from None


async def adherence(request: Request) -> Response:
    """Adherence so far and the exceptions of a day (live: computed at each request)."""
    ctx = context_of(request)
    day = day_param(request)
    now = utcnow()

    def load() -> AdherenceReport:
        with ctx.db.session() as session:
            return day_adherence(session, day=day, now=now)

    return JSONResponse(adherence_json(await ctx.db.run(load)))


def _outlook_json(o: Outlook) -> dict[str, Any]:
    return {
        "erlang_service_level": o.erlang_service_level,
        "erlang_abandon_rate": o.erlang_abandon_rate,
        "sim_service_level": o.sim_service_level,
        "sim_abandon_rate": o.sim_abandon_rate,
        "sim_service_level_sd": o.sim_service_level_sd,
        "gap_points": o.gap_points,
        "seeds": o.seeds,
        "intervals": [asdict(i) for i in o.intervals],
        "aht_s": o.base.aht_s,
        "patience_s": o.base.patience_s,
    }


async def whatif(request: Request) -> Response:
    """Erlang and the ACD simulation for the base and the changed day, side by side."""
    body = await json_body(request)
    base_raw, change_raw = body.get("base"), body.get("change", {})
    if not isinstance(base_raw, dict) or not isinstance(change_raw, dict):
        raise WhatIfInputInvalid("base と change をオブジェクトで指定してください。", field="base")
    base = base_from_json(base_raw)
    change = change_from_json(change_raw)
    runs = body.get("seeds", 5)
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 20:
        raise WhatIfInputInvalid("seeds は 1〜20 の整数です。", field="seeds", value=runs)
    result = await anyio.to_thread.run_sync(
        lambda: what_if(base=base, change=change, seeds=range(1, runs + 1))
    )
    return JSONResponse(
        {"before": _outlook_json(result.before), "after": _outlook_json(result.after)}
    )


def routes() -> list[BaseRoute]:
    """WFM routes: reads for supervisors and schedulers, edits for wfm.manage."""
    read = Permission.REPORTS_VIEW
    manage = Permission.WFM_MANAGE
    live = Permission.WALLBOARD_VIEW
    return [
        guarded_route("/api/wfm/patterns", list_patterns, permission=read),
        guarded_route("/api/wfm/patterns", save_patterns, permission=manage, methods=["POST"]),
        guarded_route("/api/wfm/patterns/{code}", put_pattern, permission=manage, methods=["PUT"]),
        guarded_route(
            "/api/wfm/patterns/{code}", delete_pattern, permission=manage, methods=["DELETE"]
        ),
        guarded_route("/api/wfm/contracts", list_contracts, permission=read),
        guarded_route(
            "/api/wfm/contracts/{agent_id}", put_contract, permission=manage, methods=["PUT"]
        ),
        guarded_route(
            "/api/wfm/contracts/{agent_id}", delete_contract, permission=manage, methods=["DELETE"]
        ),
        guarded_route("/api/wfm/schedules", list_schedules, permission=read),
        guarded_route("/api/wfm/schedules", create_schedule, permission=manage, methods=["POST"]),
        guarded_route("/api/wfm/schedules/{schedule_id}", get_schedule, permission=read),
        guarded_route("/api/wfm/adherence", adherence, permission=live),
        guarded_route("/api/wfm/whatif", whatif, permission=read, methods=["POST"]),
        *pages.routes(),
    ]
