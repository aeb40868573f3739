"""City-staff screens (/city): read-only search of the interaction history, hand-offs with their
destinations, call-backs, and links to the reports. Server-rendered: plain GET forms, no script
needed, so the page works the same with a screen reader and at any zoom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from crm.departments import service as departments
from crm.interactions import categories as history_categories
from crm.interactions import reports
from crm.interactions import service as history
from crm.interactions.http import page_params, period
from crm.interactions.models import HANDED_OVER, Outcome, WorkType
from realtime.auth.permissions import Permission
from realtime.errors import ValidationFailed
from realtime.http.context import context_of
from realtime.http.guard import current_principal, guarded_route
from webagent.desk import OUTCOME_LABELS, WORK_TYPE_LABELS
from webagent.views import render

VIEWS = {
    "history": "対応履歴の検索",
    "handoffs": "引継ぎ一覧",
    "callbacks": "折り返し一覧",
    "summary": "報告・集計",
}
REPORTS_ONLY = frozenset({"summary"})
"""Views that need reports.view besides history.read."""
CALLBACK_STATES = {"open": "未対応", "taken": "対応中", "parked": "保留", "done": "完了"}
REPORT_LINKS = [
    ("/api/crm/reports/summary", "業務種別・係ごとの件数と一次解決率（JSON）"),
    ("/api/crm/reports/handoffs", "引継ぎ先ごとの件数（JSON）"),
    ("/api/crm/reports/callbacks", "折り返しの依頼と結果（JSON）"),
]


@dataclass(frozen=True)
class Criteria:
    """The search form as typed (echoed back into the form) and the checked filter."""

    values: dict[str, str]
    problems: dict[str, str]


def _criteria(request: Request) -> tuple[Criteria, history.HistoryFilter | None]:
    q = request.query_params
    names = ("from", "to", "q", "work_type", "outcome", "category1", "handoff_dept")
    values = {n: (q.get(n) or "").strip()[:200] for n in names}
    problems: dict[str, str] = {}
    start: datetime | None = None
    end: datetime | None = None
    try:
        start, end = period(request)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if values["work_type"] and values["work_type"] not in WORK_TYPE_LABELS:
        problems["work_type"] = "一覧から選んでください。"
    if values["outcome"] and values["outcome"] not in OUTCOME_LABELS:
        problems["outcome"] = "一覧から選んでください。"
    if len(q.get("q") or "") > 200:
        problems["q"] = "検索語は200文字以内で入力してください。"
    if problems:
        return Criteria(values, problems), None
    return Criteria(values, problems), history.HistoryFilter(
        start=start,
        end=end,
        work_type=values["work_type"] or None,
        outcome=values["outcome"] or None,
        category1=values["category1"] or None,
        handoff_dept=values["handoff_dept"] or None,
        text=values["q"] or None,
    )


def _page_link(request: Request, page: int) -> str:
    params = dict(request.query_params)
    params["page"] = str(page)
    return "/city?" + urlencode(params)


async def city_page(request: Request) -> Response:
    ctx = context_of(request)
    principal = await current_principal(request)
    assert principal is not None
    can_reports = principal.can(Permission.REPORTS_VIEW)
    views = {k: v for k, v in VIEWS.items() if can_reports or k not in REPORTS_ONLY}
    view = request.query_params.get("view") or "history"
    if view not in views:
        view = "history"
    criteria, filt = _criteria(request)
    try:
        page, per_page = page_params(request)
    except ValidationFailed as exc:
        criteria.problems.update(exc.fields)
        page, per_page, filt = 1, 20, None
    searched = bool(request.query_params.get("searched"))

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            names = {
                d.dept_id: " ".join(p for p in (d.ka, d.kakari) if p)
                for d in departments.list_all(session)
            }
            data: dict[str, Any] = {
                "dept_names": names,
                "history_categories": history_categories.list_categories(session),
            }
            if filt is None:
                return data
            if view == "history" and searched:
                data["result"] = history.search_history(
                    session, criteria=filt, page=page, per_page=per_page
                )
            elif view == "handoffs":
                raw = filt.outcome
                outcome = Outcome(raw) if raw in {o.value for o in HANDED_OVER} else None
                data["handoffs"] = reports.handoffs(
                    session,
                    start=filt.start,
                    end=filt.end,
                    dept_id=filt.handoff_dept,
                    outcome=outcome,
                    page=page,
                    per_page=per_page,
                )
            elif view == "callbacks":
                data["callbacks"] = reports.callbacks(session, start=filt.start, end=filt.end)
            elif view == "summary":
                data["summary"] = reports.summary(session, start=filt.start, end=filt.end)
            return data

    data = await ctx.db.run(load)
    total = 0
    if "result" in data:
        total = data["result"].total
    elif "handoffs" in data:
        total = data["handoffs"].total
    pages = max(1, -(-total // per_page))
    data.update(
        {
            "view": view,
            "views": views,
            "form": criteria.values,
            "fields": criteria.problems,
            "searched": searched,
            "work_types": WORK_TYPE_LABELS,
            "outcomes": OUTCOME_LABELS,
            "handed_over": {o.value: OUTCOME_LABELS[o.value] for o in HANDED_OVER},
            "callback_states": CALLBACK_STATES,
            "page": page,
            "pages": pages,
            "prev_link": _page_link(request, page - 1) if page > 1 else None,
            "next_link": _page_link(request, page + 1) if page < pages else None,
            "can_reports": can_reports,
            "report_links": REPORT_LINKS,
            "work_type_values": [w.value for w in WorkType],
        }
    )
    status = 422 if criteria.problems else 200
    return render(request, "city.html", data, status=status)


def routes() -> list[BaseRoute]:
    """The city-staff page (read-only)."""
    return [guarded_route("/city", city_page, permission=Permission.HISTORY_READ)]
