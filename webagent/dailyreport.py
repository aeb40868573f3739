"""The supervisor's daily-report screen (/reports/daily) and its JSON routes (R-DAILY): list the
recent reports, read one, write ②-⑤ and the two extra fields, draft a past day, approve and send.
Reading needs reports.view; every change needs calls.supervise (supervisors and the center
manager) and is audited by cms.reports.daily."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from cms.reports import dailyview
from cms.reports.daily import approve_daily, send_daily
from cms.reports.dailytypes import FIELD_LABELS_JA, TEXT_FIELDS
from cms.reports.errors import DailyReportNotFound, MailSendFailed
from cms.reports.mailconfig import ReportMailSettings
from crm.interactions.http import json_body, username
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import current_principal, guarded_route
from webagent.views import render

EDIT_PERMISSION = Permission.CALLS_SUPERVISE
"""Writing, approving and sending: supervisors and the center manager."""

INTERACTIVE_RETRY_DELAYS = (2.0, 5.0)
"""Retries of a send started from the screen (the person waits; resend later if it fails)."""
INTERACTIVE_TIMEOUT_S = 20.0
LIST_LIMIT = 31

NUMBER_LABELS_JA = [
    ("calls_received", "着信件数"),
    ("calls_answered", "応答件数"),
    ("emails", "メール件数"),
    ("faxes", "FAX件数"),
    ("total_inquiries", "問合せ受付総数"),
    ("operators_max", "オペレーター配置数（最大）"),
    ("covid_received", "コロナ専用ダイヤル 着信件数"),
    ("covid_answered", "コロナ専用ダイヤル 応答件数"),
]


def mail_settings(request: Request) -> ReportMailSettings:
    """The configured SMTP relay and recipients, with the screen's short retry schedule."""
    configured = context_of(request).extras.get("report_mail") or ReportMailSettings()
    return configured.model_copy(
        update={
            "retry_delays": INTERACTIVE_RETRY_DELAYS,
            "timeout": min(configured.timeout, INTERACTIVE_TIMEOUT_S),
        }
    )


def _day_param(request: Request) -> dt.date:
    return dailyview.parse_day(str(request.path_params["day"]))


async def _load(request: Request, day: dt.date) -> dict[str, Any]:
    ctx = context_of(request)

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            return dailyview.detail_json(session, day=day)

    return await ctx.db.run(load)


async def _detail(request: Request, day: dt.date, status: int = 200) -> JSONResponse:
    return JSONResponse({"ok": True, "report": await _load(request, day)}, status_code=status)


# --- the page ------------------------------------------------------------------------------


async def daily_page(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    raw = (request.query_params.get("day") or "").strip()[:20]
    problems: dict[str, str] = {}
    chosen: dt.date | None = None
    if raw:
        try:
            chosen = dailyview.parse_day(raw)
        except ValidationFailed as exc:
            problems = exc.fields

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            recent = dailyview.recent_daily(session, limit=LIST_LIMIT)
            day = chosen
            if day is None and not problems:
                day = (
                    dt.date.fromisoformat(recent[0].day)
                    if recent
                    else dailyview.today_jst() - dt.timedelta(days=1)
                )
            report = None
            if day is not None:
                try:
                    report = dailyview.detail_json(session, day=day)
                except DailyReportNotFound:
                    report = None
            return {"recent": recent, "day": day, "report": report}

    data = await ctx.db.run(load)
    day = data["day"]
    data.update(
        {
            "fields": problems,
            "day_value": raw if problems else (day.isoformat() if day else ""),
            "can_edit": principal.can(EDIT_PERMISSION),
            "text_fields": [(name, FIELD_LABELS_JA[name]) for name in TEXT_FIELDS],
            "number_labels": NUMBER_LABELS_JA,
            "max_chars": dailyview.MAX_FIELD_CHARS,
            "statuses": dailyview.STATUS_LABELS_JA,
            "is_past": day is not None and day < dailyview.today_jst(),
        }
    )
    return render(request, "daily_report.html", data, status=422 if problems else 200)


# --- JSON ----------------------------------------------------------------------------------


async def list_reports(request: Request) -> Response:
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [s.__dict__ for s in dailyview.recent_daily(session, limit=LIST_LIMIT)]

    return JSONResponse({"reports": await ctx.db.run(load)})


async def get_report(request: Request) -> Response:
    return await _detail(request, _day_param(request))


async def save_texts(request: Request) -> Response:
    ctx = context_of(request)
    day = _day_param(request)
    body = await json_body(request)
    fields = dailyview.check_texts(body.get("fields"))
    version = dailyview.check_version(body.get("version"))
    actor = await username(request)

    def do() -> None:
        with ctx.db.session() as session:
            dailyview.edit_checked(session, day=day, actor=actor, fields=fields, version=version)

    await ctx.db.run(do)
    return await _detail(request, day)


async def draft_report(request: Request) -> Response:
    ctx = context_of(request)
    day = _day_param(request)
    body = await json_body(request)
    version = dailyview.check_version(body.get("version"))
    actor = await username(request)

    def do() -> None:
        with ctx.db.session() as session:
            if version is not None:
                dailyview.ensure_version(session, day=day, version=version)
            dailyview.draft_past_day(session, day=day, actor=actor)

    await ctx.db.run(do)
    return await _detail(request, day, status=201 if version is None else 200)


async def approve_report(request: Request) -> Response:
    ctx = context_of(request)
    day = _day_param(request)
    body = await json_body(request)
    version = dailyview.check_version(body.get("version"))
    actor = await username(request)

    def do() -> None:
        with ctx.db.session() as session:
            dailyview.ensure_version(session, day=day, version=version)
            approve_daily(session, day=day, actor=actor)

    await ctx.db.run(do)
    return await _detail(request, day)


async def send_report(request: Request) -> Response:
    ctx = context_of(request)
    day = _day_param(request)
    body = await json_body(request)
    version = dailyview.check_version(body.get("version"))
    actor = await username(request)
    mail = mail_settings(request)

    def do() -> None:
        with ctx.db.session() as session:
            dailyview.ensure_version(session, day=day, version=version)
            asyncio.run(send_daily(session, day=day, actor=actor, mail=mail))

    try:
        await ctx.db.run(do)
    except MailSendFailed as exc:
        # A refusal by the relay, not a fault here: say so and keep the report for a resend.
        ctx.extras["metrics"].rejections.labels(error=exc.error_id).inc()
        payload = exc.public()
        payload["report"] = await _load(request, day)
        return JSONResponse(payload, status_code=exc.status_code)
    return await _detail(request, day)


def routes() -> list[BaseRoute]:
    """The daily-report page and its JSON routes."""
    view = Permission.REPORTS_VIEW
    base = "/api/reports/daily"
    return [
        guarded_route("/reports/daily", daily_page, permission=view),
        guarded_route(base, list_reports, permission=view),
        guarded_route(base + "/{day}", get_report, permission=view),
        guarded_route(
            base + "/{day}/texts", save_texts, permission=EDIT_PERMISSION, methods=["POST"]
        ),
        guarded_route(
            base + "/{day}/draft", draft_report, permission=EDIT_PERMISSION, methods=["POST"]
        ),
        guarded_route(
            base + "/{day}/approve", approve_report, permission=EDIT_PERMISSION, methods=["POST"]
        ),
        guarded_route(
            base + "/{day}/send", send_report, permission=EDIT_PERMISSION, methods=["POST"]
        ),
    ]
