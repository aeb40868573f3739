"""Administrators' FAQ and departments routes: CSV import, edit and delete (admin.settings).

Agents read FAQ entries and the directory through the desk's routes (webagent/desk.py); these
routes change them, each change audited.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.departments import service as departments
from crm.faq import service as faq
from crm.interactions.http import json_body, username
from realtime.auth.permissions import Permission
from realtime.errors import MadoguchiError
from realtime.http.context import context_of
from realtime.http.guard import guarded_route

MAX_CSV_BYTES = 20 * 1024 * 1024


class CsvTooLarge(MadoguchiError):
    error_id = "csv-too-large"
    status_code = 413
    message_ja = "CSVファイルが大きすぎます（20MBまで）。"

    def __init__(self, *, size: int) -> None:
        super().__init__(size=size)


async def _csv(request: Request) -> tuple[bytes, str]:
    data = await request.body()
    if len(data) > MAX_CSV_BYTES:
        raise CsvTooLarge(size=len(data))
    return data, (request.query_params.get("source") or "upload")[:100]


def _faq_json(entry: Any) -> dict[str, Any]:
    return {
        "faq_id": entry.faq_id,
        "category1": entry.category1,
        "category2": entry.category2,
        "question": entry.question,
        "answer": entry.answer,
        "dept_id": entry.dept_id,
        "keywords": entry.keywords,
        "needs_handoff": entry.needs_handoff,
        "updated_at": entry.updated_at.isoformat(),
    }


def _dept_json(dept: Any) -> dict[str, Any]:
    return {
        "dept_id": dept.dept_id,
        "bu": dept.bu,
        "ka": dept.ka,
        "kakari": dept.kakari,
        "extension": dept.extension,
        "handles": dept.handles,
        "updated_at": dept.updated_at.isoformat(),
    }


async def faq_import(request: Request) -> Response:
    """Import a FAQ CSV sent as the body (UTF-8 or Shift_JIS; all rows or none)."""
    ctx = context_of(request)
    actor = await username(request)
    data, source = await _csv(request)

    def do() -> faq.FaqImport:
        with ctx.db.session() as session:
            return faq.import_csv(session, data=data, actor=actor, source=source)

    result = await ctx.db.run(do)
    return JSONResponse(
        {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "encoding": result.encoding,
            "warnings": [
                {"line": w.line, "faq_id": w.faq_id, "message": w.message_ja}
                for w in result.warnings
            ],
        }
    )


async def faq_change(request: Request) -> Response:
    """Create or replace one entry (PUT) or remove it (DELETE)."""
    ctx = context_of(request)
    actor = await username(request)
    faq_id = str(request.path_params["faq_id"])
    if request.method == "DELETE":

        def remove() -> None:
            with ctx.db.session() as session:
                faq.delete_entry(session, faq_id=faq_id, actor=actor)

        await ctx.db.run(remove)
        return JSONResponse({"deleted": faq_id})
    body = await json_body(request)

    def save() -> dict[str, Any]:
        with ctx.db.session() as session:
            return _faq_json(faq.save_entry(session, faq_id=faq_id, data=body, actor=actor))

    return JSONResponse({"entry": await ctx.db.run(save)})


async def departments_import(request: Request) -> Response:
    """Import a departments CSV sent as the body (all rows or none)."""
    ctx = context_of(request)
    actor = await username(request)
    data, source = await _csv(request)

    def do() -> departments.DepartmentImport:
        with ctx.db.session() as session:
            return departments.import_csv(session, data=data, actor=actor, source=source)

    result = await ctx.db.run(do)
    return JSONResponse(
        {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "encoding": result.encoding,
        }
    )


async def department_change(request: Request) -> Response:
    """Create or replace one department (PUT) or remove it (DELETE)."""
    ctx = context_of(request)
    actor = await username(request)
    dept_id = str(request.path_params["dept_id"])
    if request.method == "DELETE":

        def remove() -> None:
            with ctx.db.session() as session:
                departments.delete_department(session, dept_id=dept_id, actor=actor)

        await ctx.db.run(remove)
        return JSONResponse({"deleted": dept_id})
    body = await json_body(request)

    def save() -> dict[str, Any]:
        with ctx.db.session() as session:
            return _dept_json(
                departments.save_department(session, dept_id=dept_id, data=body, actor=actor)
            )

    return JSONResponse({"department": await ctx.db.run(save)})


def routes() -> list[BaseRoute]:
    """The FAQ and departments admin routes (admin.settings)."""
    admin = Permission.SETTINGS_MANAGE
    change = ["PUT", "DELETE"]
    return [
        guarded_route("/api/crm/faq/import", faq_import, permission=admin, methods=["POST"]),
        guarded_route(
            "/api/crm/faq/entries/{faq_id}", faq_change, permission=admin, methods=change
        ),
        guarded_route(
            "/api/crm/departments/import", departments_import, permission=admin, methods=["POST"]
        ),
        guarded_route(
            "/api/crm/departments/{dept_id}", department_change, permission=admin, methods=change
        ),
    ]
