"""Routes of the interaction history, its categories and the city's hand-off and call-back
lists (JSON under /api/crm/)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions import categories, reports
from crm.interactions import service as history
from crm.interactions.fields import CONTACT_FACTS, EDITABLE, parse_contact, parse_fields
from crm.interactions.http import json_body, optional_int, page_params, period, username
from crm.interactions.models import HANDED_OVER, Outcome
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


async def save(request: Request) -> Response:
    """Save the history of one contact; the answer ends the agent's wrap-up."""
    ctx = context_of(request)
    agent = await username(request)
    body = await json_body(request)
    unknown = [k for k in body if k not in EDITABLE + CONTACT_FACTS]
    if unknown:
        raise ValidationFailed(fields={k[:64]: "この項目は指定できません。" for k in unknown[:20]})
    contact = parse_contact(body)
    fields = parse_fields(body)

    def do() -> history.WrapupDone:
        with ctx.db.session() as session:
            return history.save_history(session, contact=contact, fields=fields, agent=agent)

    done = await ctx.db.run(do)
    return JSONResponse(
        {
            "interaction_id": done.interaction_id,
            "contact_id": done.contact_id,
            "agent": done.agent,
            "channel": done.channel,
            "saved_at": done.saved_at.isoformat(),
            "wrapup_s": done.wrapup_s,
            "wrapup_ended": True,
        },
        status_code=201,
    )


async def edit(request: Request) -> Response:
    """Change the recorded fields: a new version, audited."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)
    version = optional_int(body.get("version"), "version")
    if version is None:
        raise ValidationFailed(fields={"version": "編集前の版番号を指定してください。"})
    changes = body.get("changes")
    if not isinstance(changes, dict):
        raise ValidationFailed(fields={"changes": "変更する項目を指定してください。"})
    interaction_id = request.path_params["interaction_id"]

    def do() -> history.InteractionView:
        with ctx.db.session() as session:
            return history.edit_history(
                session,
                interaction_id=interaction_id,
                changes=changes,
                expected_version=version,
                actor=actor,
                reason=body.get("reason") or "",
            )

    return JSONResponse((await ctx.db.run(do)).to_json())


async def detail(request: Request) -> Response:
    ctx = context_of(request)
    interaction_id = request.path_params["interaction_id"]

    def load() -> history.InteractionView:
        with ctx.db.session() as session:
            return history.get_history(session, interaction_id=interaction_id)

    return JSONResponse((await ctx.db.run(load)).to_json())


async def version_list(request: Request) -> Response:
    ctx = context_of(request)
    interaction_id = request.path_params["interaction_id"]

    def load() -> list[history.VersionView]:
        with ctx.db.session() as session:
            return history.versions(session, interaction_id=interaction_id)

    return JSONResponse({"versions": [v.to_json() for v in await ctx.db.run(load)]})


def _criteria(request: Request) -> history.HistoryFilter:
    q = request.query_params
    start, end = period(request)
    problems: dict[str, str] = {}
    for name, enum in (("work_type", history.WorkType), ("outcome", Outcome)):
        value = q.get(name)
        if value and value not in {e.value for e in enum}:
            problems[name] = "指定できない値です。"
    text = (q.get("q") or "").strip()
    if len(text) > 200:
        problems["q"] = "検索語は200文字以内で入力してください。"
    if problems:
        raise ValidationFailed(fields=problems)
    return history.HistoryFilter(
        start=start,
        end=end,
        channel=q.get("channel") or None,
        line=q.get("line") or None,
        menu=q.get("menu") or None,
        work_type=q.get("work_type") or None,
        category1=q.get("category1") or None,
        category2=q.get("category2") or None,
        section=q.get("section") or None,
        outcome=q.get("outcome") or None,
        handoff_dept=q.get("handoff_dept") or None,
        text=text or None,
    )


async def search(request: Request) -> Response:
    """City staff and agents search the history, read-only, one page at a time."""
    ctx = context_of(request)
    criteria = _criteria(request)
    page, per_page = page_params(request)

    def load() -> history.HistoryPage:
        with ctx.db.session() as session:
            return history.search_history(session, criteria=criteria, page=page, per_page=per_page)

    result = await ctx.db.run(load)
    return JSONResponse(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "items": [i.to_json() for i in result.items],
        }
    )


async def category_list(request: Request) -> Response:
    ctx = context_of(request)

    def load() -> list[categories.CategoryGroup]:
        with ctx.db.session() as session:
            return categories.list_categories(session)

    groups = await ctx.db.run(load)
    return JSONResponse({"categories": [{"name": g.name, "children": g.children} for g in groups]})


async def category_sync(request: Request) -> Response:
    ctx = context_of(request)
    actor = await username(request)

    def do() -> int:
        with ctx.db.session() as session:
            return categories.sync_from_faq(session, actor=actor)

    return JSONResponse({"added": await ctx.db.run(do)})


async def handoff_report(request: Request) -> Response:
    """Which contacts went to which department (R-ITEMS), for any period."""
    ctx = context_of(request)
    start, end = period(request)
    page, per_page = page_params(request)
    raw = request.query_params.get("outcome") or None
    if raw is not None and raw not in {o.value for o in HANDED_OVER}:
        raise ValidationFailed(
            fields={"outcome": "handoff または switchboard_transfer を指定してください。"}
        )
    outcome = Outcome(raw) if raw else None
    dept = request.query_params.get("dept_id") or None

    def load() -> reports.HandoffReport:
        with ctx.db.session() as session:
            return reports.handoffs(
                session,
                start=start,
                end=end,
                dept_id=dept,
                outcome=outcome,
                page=page,
                per_page=per_page,
            )

    return JSONResponse((await ctx.db.run(load)).to_json())


async def callback_report(request: Request) -> Response:
    """Which call-backs were asked for and made (R-ITEMS), for any period."""
    ctx = context_of(request)
    start, end = period(request)

    def load() -> reports.CallbackReport:
        with ctx.db.session() as session:
            return reports.callbacks(session, start=start, end=end)

    return JSONResponse((await ctx.db.run(load)).to_json())


async def summary_report(request: Request) -> Response:
    """Contacts per work type and per section (係) with the first-contact rate (R-ITEMS)."""
    ctx = context_of(request)
    start, end = period(request)

    def load() -> reports.Summary:
        with ctx.db.session() as session:
            return reports.summary(session, start=start, end=end)

    return JSONResponse((await ctx.db.run(load)).to_json())


def routes() -> list[BaseRoute]:
    """The history routes with the permission each needs."""
    p = Permission
    item = "/api/crm/interactions/{interaction_id}"
    return [
        guarded_route("/api/crm/interactions", search, permission=p.HISTORY_READ),
        guarded_route("/api/crm/interactions", save, permission=p.DESK_USE, methods=["POST"]),
        guarded_route(item, detail, permission=p.HISTORY_READ),
        guarded_route(item, edit, permission=p.DESK_USE, methods=["PUT"]),
        guarded_route(f"{item}/versions", version_list, permission=p.HISTORY_READ),
        guarded_route("/api/crm/categories", category_list, permission=p.HISTORY_READ),
        guarded_route(
            "/api/crm/categories/sync",
            category_sync,
            permission=p.SETTINGS_MANAGE,
            methods=["POST"],
        ),
        guarded_route("/api/crm/reports/handoffs", handoff_report, permission=p.REPORTS_VIEW),
        guarded_route("/api/crm/reports/callbacks", callback_report, permission=p.REPORTS_VIEW),
        guarded_route("/api/crm/reports/summary", summary_report, permission=p.REPORTS_VIEW),
    ]
