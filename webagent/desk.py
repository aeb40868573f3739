"""The agent desk (/desk) and the read-only JSON it needs: FAQ drill-down, keyword search and
most referenced, the departments directory, the live personal-data check, the queue strip and
the softphone's SIP account."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match

from crm.departments import service as departments
from crm.departments.models import Department
from crm.faq import service as faq
from crm.faq.models import FaqEntry
from crm.faq.service import UsageKind
from crm.interactions import categories as history_categories
from crm.interactions.fields import MAX_ANSWER
from crm.interactions.http import json_body, username
from crm.interactions.models import Outcome, WorkType
from crm.pii.guard import TYPE_LABELS_JA, find_personal_data
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import current_principal, guarded_route
from webagent.queuestrip import QueueStrip, queue_strip
from webagent.views import render

MAX_QUERY = 200
MAX_SCAN_FIELDS = 4
STATE_ROUTE = "/api/callpath/agent/state"
TRANSFER_ROUTE = "/api/agent/transfer"
REPLY_PROBE = "/api/inbox/items/probe/reply"  # any item id: does the mail reply route exist?
CALLBACK_PROBE = "/api/callpath/callbacks/probe/dial"  # call-backs dialled from the desk
SURVEY_ROUTE = "/api/callpath/survey"  # hand the caller to the satisfaction survey

WORK_TYPE_LABELS: dict[str, str] = {
    WorkType.INQUIRY.value: "問合せ",
    WorkType.SWITCHBOARD.value: "交換取次ぎ",
    WorkType.MANAGEMENT.value: "管理業務",
}
OUTCOME_LABELS: dict[str, str] = {
    Outcome.ANSWERED.value: "センター内で回答",
    Outcome.HANDOFF.value: "担当課へ引継ぎ",
    Outcome.CALLBACK.value: "折り返し架電",
    Outcome.SWITCHBOARD_TRANSFER.value: "交換取次ぎ",
}


def route_exists(request: Request, path: str, method: str) -> bool:
    """Whether this app serves ``method path`` (features built elsewhere plug in when present)."""
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    router = request.scope.get("router")
    routes = getattr(router, "routes", None) or getattr(request.app, "routes", [])
    return any(route.matches(scope)[0] is Match.FULL for route in routes)


def _text_param(request: Request, name: str) -> str:
    value = (request.query_params.get(name) or "").strip()
    if len(value) > MAX_QUERY:
        raise ValidationFailed(fields={name: f"{MAX_QUERY}文字以内で入力してください。"})
    return value


def _limit(request: Request, default: int = 10) -> int:
    raw = request.query_params.get("limit") or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 50:
        raise ValidationFailed(fields={"limit": "1〜50の整数で指定してください。"})
    return int(raw)


def _entry_json(entry: FaqEntry, *, answer: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "faq_id": entry.faq_id,
        "question": entry.question,
        "category1": entry.category1,
        "category2": entry.category2,
        "dept_id": entry.dept_id,
        "needs_handoff": entry.needs_handoff,
    }
    if answer:
        data["answer"] = entry.answer
    return data


def _dept_json(dept: Department) -> dict[str, Any]:
    return {
        "dept_id": dept.dept_id,
        "bu": dept.bu,
        "ka": dept.ka,
        "kakari": dept.kakari,
        "extension": dept.extension,
        "handles": dept.handles,
        "label": " ".join(p for p in (dept.ka, dept.kakari) if p),
    }


# --- the page ------------------------------------------------------------------------------


async def desk_page(request: Request) -> Response:
    ctx = context_of(request)

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            return {
                "faq_categories": faq.categories(session),
                "popular": faq.most_referenced(session, limit=10),
                "departments": [_dept_json(d) for d in departments.list_all(session)],
                "history_categories": history_categories.list_categories(session),
                "strip": queue_strip(session),
            }

    data = await ctx.db.run(load)
    principal = await current_principal(request)
    data.update(
        {
            "username": principal.username if principal is not None else "",
            "state_enabled": route_exists(request, STATE_ROUTE, "POST"),
            "transfer_enabled": route_exists(request, TRANSFER_ROUTE, "POST"),
            "reply_enabled": route_exists(request, REPLY_PROBE, "POST"),
            "callback_enabled": route_exists(request, CALLBACK_PROBE, "POST"),
            "survey_enabled": route_exists(request, SURVEY_ROUTE, "POST"),
            "work_types": WORK_TYPE_LABELS,
            "outcomes": OUTCOME_LABELS,
            "max_answer": MAX_ANSWER,
        }
    )
    return render(request, "desk.html", data)


# --- FAQ (read-only) -----------------------------------------------------------------------


async def faq_categories(request: Request) -> Response:
    """The 大分類/中分類 tree with counts, for drill-down."""
    ctx = context_of(request)

    def load() -> list[faq.Category]:
        with ctx.db.session() as session:
            return faq.categories(session)

    return JSONResponse(
        {
            "categories": [
                {
                    "name": c.name,
                    "count": c.count,
                    "children": [{"name": n, "count": k} for n, k in c.children],
                }
                for c in await ctx.db.run(load)
            ]
        }
    )


async def faq_entries(request: Request) -> Response:
    """The entries under one category (questions only)."""
    ctx = context_of(request)
    category1 = _text_param(request, "category1")
    category2 = _text_param(request, "category2")
    if not category1:
        raise ValidationFailed(fields={"category1": "大分類を選んでください。"})

    def load() -> list[FaqEntry]:
        with ctx.db.session() as session:
            return faq.list_entries(
                session, category1=category1, category2=category2 if category2 else None
            )

    entries = await ctx.db.run(load)
    return JSONResponse({"items": [_entry_json(e, answer=False) for e in entries]})


async def faq_search(request: Request) -> Response:
    """Keyword search, best first."""
    ctx = context_of(request)
    query = _text_param(request, "q")
    if not query:
        raise ValidationFailed(fields={"q": "検索語を入力してください。"})
    limit = _limit(request)

    def load() -> list[faq.SearchResult]:
        with ctx.db.session() as session:
            return faq.search(session, query=query, limit=limit)

    return JSONResponse(
        {
            "items": [
                {
                    "faq_id": r.faq_id,
                    "question": r.question,
                    "category1": r.category1,
                    "category2": r.category2,
                    "dept_id": r.dept_id,
                    "needs_handoff": r.needs_handoff,
                    "score": r.score,
                }
                for r in await ctx.db.run(load)
            ]
        }
    )


async def faq_popular(request: Request) -> Response:
    """The entries agents used most."""
    ctx = context_of(request)
    limit = _limit(request)

    def load() -> list[faq.Referenced]:
        with ctx.db.session() as session:
            return faq.most_referenced(session, limit=limit)

    return JSONResponse(
        {
            "items": [
                {"faq_id": r.faq_id, "question": r.question, "uses": r.uses}
                for r in await ctx.db.run(load)
            ]
        }
    )


async def faq_detail(request: Request) -> Response:
    """One entry with its answer."""
    ctx = context_of(request)
    faq_id = request.path_params["faq_id"][:32]

    def load() -> FaqEntry:
        with ctx.db.session() as session:
            return faq.get(session, faq_id=faq_id)

    return JSONResponse(_entry_json(await ctx.db.run(load), answer=True))


async def faq_opened(request: Request) -> Response:
    """Count that the agent opened an entry (feeds 'most referenced')."""
    ctx = context_of(request)
    agent = await username(request)
    faq_id = request.path_params["faq_id"][:32]
    body = await json_body(request)
    contact_id = body.get("contact_id")
    if contact_id is not None and (not isinstance(contact_id, str) or len(contact_id) > 36):
        raise ValidationFailed(fields={"contact_id": "応対IDが正しくありません。"})

    def do() -> int:
        with ctx.db.session() as session:
            return faq.record_usage(
                session, faq_id=faq_id, kind=UsageKind.OPEN, agent=agent, contact_id=contact_id
            ).opened

    return JSONResponse({"faq_id": faq_id, "opened": await ctx.db.run(do)})


# --- departments, personal data, queue, SIP --------------------------------------------------


async def department_list(request: Request) -> Response:
    """The directory, or the departments matching every word of ``q``."""
    ctx = context_of(request)
    query = _text_param(request, "q")

    def load() -> list[Department]:
        with ctx.db.session() as session:
            if query:
                return departments.find(session, query=query, limit=50)
            return departments.list_all(session)

    return JSONResponse({"items": [_dept_json(d) for d in await ctx.db.run(load)]})


async def pii_scan(request: Request) -> Response:
    """Findings (type, label, offsets) in each given text, for the form to show as one types."""
    body = await json_body(request)
    fields = body.get("fields")
    if not isinstance(fields, dict) or not fields or len(fields) > MAX_SCAN_FIELDS:
        raise ValidationFailed(
            fields={"fields": f"検査する項目を{MAX_SCAN_FIELDS}個まで指定してください。"}
        )
    texts: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name, value in fields.items():
        key = str(name)[:32]
        if not isinstance(value, str):
            problems[key] = "文字列で指定してください。"
        elif len(value) > MAX_ANSWER:
            problems[key] = f"{MAX_ANSWER}文字以内で入力してください。"
        else:
            texts[key] = value
    if problems:
        raise ValidationFailed(fields=problems)
    findings = find_personal_data(fields=texts)
    return JSONResponse(
        {
            "clean": not findings,
            "findings": {
                name: [
                    {
                        "type": f.type.value,
                        "label": TYPE_LABELS_JA[f.type],
                        "start": f.start,
                        "end": f.end,
                    }
                    for f in found
                ]
                for name, found in findings.items()
            },
        }
    )


async def queue_now(request: Request) -> Response:
    """Waiting callers, the longest wait and today's service level."""
    ctx = context_of(request)

    def load() -> QueueStrip:
        with ctx.db.session() as session:
            return queue_strip(session)

    return JSONResponse((await ctx.db.run(load)).to_json())


def _extension_of(mapping: str, user: str) -> str | None:
    for pair in mapping.split(","):
        name, _, ext = pair.strip().partition("=")
        if name.strip() == user and ext.strip():
            return ext.strip()
    return None


async def sip_config(request: Request) -> Response:
    """The signed-in agent's SIP account for the softphone (never cached)."""
    ctx = context_of(request)
    agent = await username(request)
    s = ctx.settings
    extension = _extension_of(s.sip_extensions, agent)
    password = s.agent_sip_password.get_secret_value() if s.agent_sip_password else ""
    headers = {"Cache-Control": "no-store"}
    if not (s.sip_wss_url and extension and password):
        return JSONResponse({"configured": False}, headers=headers)
    return JSONResponse(
        {
            "configured": True,
            "ws_url": s.sip_wss_url,
            "uri": f"sip:{extension}@{s.sip_domain}",
            "authorization_user": extension,
            "password": password,
        },
        headers=headers,
    )


def routes() -> list[BaseRoute]:
    """The desk page and its read-only JSON, each with the permission it needs."""
    desk = Permission.DESK_USE
    return [
        guarded_route("/desk", desk_page, permission=desk),
        guarded_route("/api/crm/faq/categories", faq_categories, permission=desk),
        guarded_route("/api/crm/faq/entries", faq_entries, permission=desk),
        guarded_route("/api/crm/faq/search", faq_search, permission=desk),
        guarded_route("/api/crm/faq/popular", faq_popular, permission=desk),
        guarded_route("/api/crm/faq/entries/{faq_id}", faq_detail, permission=desk),
        guarded_route(
            "/api/crm/faq/entries/{faq_id}/opened", faq_opened, permission=desk, methods=["POST"]
        ),
        guarded_route("/api/crm/departments", department_list, permission=desk),
        guarded_route("/api/crm/pii/scan", pii_scan, permission=desk, methods=["POST"]),
        guarded_route("/api/desk/queue", queue_now, permission=desk),
        guarded_route("/api/agent/sip-config", sip_config, permission=desk),
    ]
