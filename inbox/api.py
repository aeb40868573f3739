"""HTTP routes of inbox2: sorting rules and reply templates (administrators, audited), replies,
forwards, the outbox, faxes and attachments at the desk, and the 24-hour clock for the wallboard.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import json_body, period, username
from crm.workqueue.models import WorkItem
from inbox.clock.service import reply_kpi
from inbox.clock.subsystem import connector_for, current_clock, inbox_settings
from inbox.fax.convert import FaxUnreadable
from inbox.fax.send import send_fax
from inbox.fax.service import get_fax
from inbox.models import InboxMessage
from inbox.parse.message import parse_message
from inbox.reply import outbox, templates
from inbox.reply.service import forward_item, inbox_id_of, reply_to_item
from inbox.scan.service import require_clean
from inbox.sorting import service as sorting
from inbox.sorting.connect import attachment_key, iter_attachment_bytes
from inbox.sorting.rules import SortSubject, decide, validate_rule
from realtime.auth.permissions import Permission
from realtime.errors import MadoguchiError, ValidationFailed
from realtime.http.context import AppContext, context_of
from realtime.http.guard import guarded_route
from realtime.timeutil import utcnow


class NotFound(MadoguchiError):
    error_id = "inbox-not-found"
    status_code = 404
    message_ja = "見つかりません。"

    def __init__(self, *, what: str) -> None:
        super().__init__(what=what)
        self.what = what


class SwitchUnavailable(MadoguchiError):
    error_id = "fax-switch-unavailable"
    status_code = 503
    message_ja = "FAX を送信できません（交換機に接続していないか、送信設定がありません）。"

    def __init__(self) -> None:
        super().__init__()


def _int_param(request: Request, name: str) -> int:
    raw = str(request.path_params[name])
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(what=name)
    return int(raw)


def _text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise ValidationFailed(fields={name: "文字列で入力してください。"})
    return value


def _rule_from(body: dict[str, Any]) -> Any:
    priority = body.get("priority", 100)
    return validate_rule(
        name=_text(body, "name"),
        field=_text(body, "field"),
        pattern=_text(body, "pattern"),
        skill=_text(body, "skill"),
        priority=priority if isinstance(priority, int) else -1,
        enabled=bool(body.get("enabled", True)),
    )


# --- sorting rules (admin.settings) -----------------------------------------------------------


async def rules_list(request: Request) -> Response:
    """Every sorting rule in evaluation order."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [r.to_json() for r in sorting.list_rules(session)]

    default = inbox_settings(ctx).inbox_default_skill
    return JSONResponse({"rules": await ctx.db.run(load), "default_skill": default or None})


async def rules_create(request: Request) -> Response:
    """Add a rule (validated; audited)."""
    ctx = context_of(request)
    actor = await username(request)
    rule = _rule_from(await json_body(request))

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return sorting.create_rule(session, rule=rule, actor=actor).to_json()

    return JSONResponse({"rule": await ctx.db.run(do)}, status_code=201)


async def rules_change(request: Request) -> Response:
    """Replace a rule (PUT) or remove it (DELETE); audited."""
    ctx = context_of(request)
    actor = await username(request)
    rule_id = _int_param(request, "rule_id")
    if request.method == "DELETE":

        def remove() -> None:
            with ctx.db.session() as session:
                sorting.delete_rule(session, rule_id=rule_id, actor=actor)

        await ctx.db.run(remove)
        return JSONResponse({"deleted": rule_id})
    rule = _rule_from(await json_body(request))

    def change() -> dict[str, Any]:
        with ctx.db.session() as session:
            return sorting.update_rule(session, rule_id=rule_id, rule=rule, actor=actor).to_json()

    return JSONResponse({"rule": await ctx.db.run(change)})


async def rules_try(request: Request) -> Response:
    """Which rule a sample item would match (nothing is stored)."""
    ctx = context_of(request)
    body = await json_body(request)
    recipients = body.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise ValidationFailed(fields={"recipients": "宛先アドレスの一覧で指定してください。"})
    subject = SortSubject(
        recipients=recipients[:20],
        sender=_text(body, "sender")[:320],
        subject=_text(body, "subject")[:1000],
        fax_did=_text(body, "fax_did")[:32],
    )
    default = inbox_settings(ctx).inbox_default_skill

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            decision = decide(sorting.active_rules(session), subject, default_skill=default)
            return {
                "skill": decision.skill,
                "rule_id": decision.rule_id,
                "rule": decision.rule_name,
            }

    return JSONResponse(await ctx.db.run(do))


# --- templates ----------------------------------------------------------------------------


async def templates_list(request: Request) -> Response:
    """Every reply template (the desk picks one; administrators edit them)."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return templates.list_templates(session)

    return JSONResponse({"templates": await ctx.db.run(load)})


async def templates_create(request: Request) -> Response:
    """Add a template (audited)."""
    ctx = context_of(request)
    actor = await username(request)
    body = await json_body(request)

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return templates.save_template(
                session,
                actor=actor,
                name=_text(body, "name"),
                subject=_text(body, "subject"),
                body=_text(body, "body"),
                purpose=_text(body, "purpose", "reply"),
            )

    return JSONResponse({"template": await ctx.db.run(do)}, status_code=201)


async def templates_change(request: Request) -> Response:
    """Change (PUT) or remove (DELETE) a template; audited."""
    ctx = context_of(request)
    actor = await username(request)
    template_id = _int_param(request, "template_id")
    if request.method == "DELETE":

        def remove() -> None:
            with ctx.db.session() as session:
                templates.delete_template(session, actor=actor, template_id=template_id)

        await ctx.db.run(remove)
        return JSONResponse({"deleted": template_id})
    body = await json_body(request)

    def change() -> dict[str, Any]:
        with ctx.db.session() as session:
            return templates.save_template(
                session,
                actor=actor,
                template_id=template_id,
                name=_text(body, "name"),
                subject=_text(body, "subject"),
                body=_text(body, "body"),
                purpose=_text(body, "purpose", "reply"),
            )

    return JSONResponse({"template": await ctx.db.run(change)})


# --- the desk -----------------------------------------------------------------------------


async def _deliver_now(ctx: AppContext, row_id: int | None) -> dict[str, Any] | None:
    if row_id is None:
        return None
    connector = connector_for(ctx)
    result = await outbox.deliver_one(
        ctx.db, outbox_id=row_id, box=connector.box, config=connector.config
    )
    return result.to_json()


async def reply(request: Request) -> Response:
    """Answer a mail item (template and/or text); queued, tried once now, retried later."""
    ctx = context_of(request)
    agent = await username(request)
    item_id = str(request.path_params["item_id"])[:64]
    body = await json_body(request)
    template_id = body.get("template_id")
    if template_id is not None and not isinstance(template_id, int):
        raise ValidationFailed(fields={"template_id": "テンプレート番号で指定してください。"})
    connector = connector_for(ctx)

    def do() -> int | None:
        with ctx.db.session() as session:
            row = reply_to_item(
                session,
                item_id=item_id,
                agent=agent,
                box=connector.box,
                config=connector.config,
                body=_text(body, "body"),
                subject=_text(body, "subject"),
                template_id=template_id,
            )
            return row.id

    sent = await _deliver_now(ctx, await ctx.db.run(do))
    return JSONResponse({"outbox": sent})


async def forward(request: Request) -> Response:
    """Forward (転送) a mail or fax item to a department; recorded with its destination."""
    ctx = context_of(request)
    agent = await username(request)
    item_id = str(request.path_params["item_id"])[:64]
    body = await json_body(request)
    dept_id = _text(body, "dept_id")
    note = _text(body, "note")[:2000]
    connector = connector_for(ctx)

    def do() -> int | None:
        with ctx.db.session() as session:
            work = session.get(WorkItem, item_id[:36]) if len(item_id) <= 36 else None
            raw = None
            message_id = inbox_id_of(work.source_ref if work else None)
            message = session.get(InboxMessage, message_id) if message_id else None
            if message is not None:
                raw = connector._raw(message)
            row = forward_item(
                session,
                item_id=item_id,
                agent=agent,
                dept_id=dept_id,
                box=connector.box,
                config=connector.config,
                raw=raw,
                note=note,
            )
            return row.id if row else None

    sent = await _deliver_now(ctx, await ctx.db.run(do))
    return JSONResponse({"forwarded_to": dept_id, "outbox": sent})


async def outbox_list(request: Request) -> Response:
    """Sent and pending mail with delivery state (failures visible), newest first."""
    ctx = context_of(request)
    state = request.query_params.get("state")
    if state not in (None, "", outbox.PENDING, outbox.SENT, outbox.FAILED):
        raise ValidationFailed(fields={"state": "pending・sent・failed を指定してください。"})

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [v.to_json() for v in outbox.list_outbox(session, state=state or None)]

    return JSONResponse({"outbox": await ctx.db.run(load)})


async def outbox_retry(request: Request) -> Response:
    """Send a failed mail again now."""
    ctx = context_of(request)
    agent = await username(request)
    outbox_id = _int_param(request, "outbox_id")

    def do() -> int:
        with ctx.db.session() as session:
            return outbox.retry_now(session, outbox_id=outbox_id, actor=agent).id

    return JSONResponse({"outbox": await _deliver_now(ctx, await ctx.db.run(do))})


def _media_bytes(ctx: AppContext, file_id: str) -> bytes:
    media = connector_for(ctx).media
    out = bytearray()
    with media.read_all(file_id=file_id) as stream:
        for block in stream:
            out += block
    return bytes(out)


async def fax_detail(request: Request) -> Response:
    """A fax's facts (state, reasons, pages, DID, OCR category), never the sender's number."""
    ctx = context_of(request)
    fax_id = _int_param(request, "fax_id")

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            row = get_fax(session, fax_id=fax_id)
            return {
                "id": row.id,
                "source": row.source,
                "did": row.did,
                "state": row.state,
                "reasons": json.loads(row.reasons),
                "pages": row.pages,
                "received_at": row.received_at.isoformat(),
                "due_at": row.due_at.isoformat(),
                "skill": row.skill or None,
                "ocr_category": row.ocr_category or None,
                "work_item_id": row.work_item_id,
                "has_pdf": bool(row.pdf_file_id),
            }

    return JSONResponse({"fax": await ctx.db.run(load)})


async def fax_file(request: Request) -> Response:
    """The fax PDF (``page`` 0) or one page PNG; only files the scanner passed."""
    ctx = context_of(request)
    fax_id = _int_param(request, "fax_id")
    page = _int_param(request, "page")

    def load() -> tuple[bytes, str]:
        with ctx.db.session() as session:
            row = get_fax(session, fax_id=fax_id)
            pages: list[str] = json.loads(row.page_file_ids)
            if page == 0 and row.pdf_file_id:
                file_id, kind = row.pdf_file_id, "application/pdf"
            elif 1 <= page <= len(pages):
                file_id, kind = pages[page - 1], "image/png"
            else:
                raise NotFound(what="page")
            require_clean(session, file_key=file_id)
        return _media_bytes(ctx, file_id), kind

    data, kind = await ctx.db.run(load)
    return Response(data, media_type=kind, headers={"Cache-Control": "no-store"})


async def attachment(request: Request) -> Response:
    """One attachment of a received mail, only when the scanning hook passed it."""
    ctx = context_of(request)
    message_id = _int_param(request, "message_id")
    part = str(request.path_params["part"])[:64]

    def load() -> tuple[bytes, str, str]:
        with ctx.db.session() as session:
            row = session.get(InboxMessage, message_id)
            if row is None:
                raise NotFound(what="message")
            require_clean(session, file_key=attachment_key(row.raw_file_id, part))
            raw = _media_bytes(ctx, row.raw_file_id)
        for found, data in iter_attachment_bytes(raw, list(parse_message(raw).attachments)):
            if found.part == part:
                return data, found.content_type, found.filename or "attachment"
        raise NotFound(what="attachment")

    data, kind, name = await ctx.db.run(load)
    return Response(
        data,
        media_type="application/octet-stream" if kind.startswith("text/html") else kind,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def fax_reply(request: Request) -> Response:
    """Reply by fax: the request body is the document (PNG, TIFF or JPEG pages); ``number``
    in the query. Sent with txfax through the switch."""
    ctx = context_of(request)
    await username(request)
    switch = ctx.extras.get("switch")
    config = inbox_settings(ctx)
    if switch is None or not config.inbox_fax_gateway:
        raise SwitchUnavailable()
    number = request.query_params.get("number", "")
    document = await request.body()
    out_dir = config.inbox_fax_out_dir or ctx.settings.data_dir / "fax-out"
    try:
        sent = await send_fax(
            switch.control,
            number=number,
            document=document,
            out_dir=out_dir,
            gateway=config.inbox_fax_gateway,
            ident=config.inbox_fax_ident,
            header=config.inbox_fax_header,
        )
    except FaxUnreadable as exc:
        raise ValidationFailed(fields={"document": exc.reason}) from None
    return JSONResponse({"call_uuid": sent.call_uuid, "pages": sent.pages})


# --- the wallboard ------------------------------------------------------------------------


async def clock(request: Request) -> Response:
    """Open, near-due and overdue items (the overdue target is 0)."""
    ctx = context_of(request)
    status = await ctx.db.run(current_clock, ctx)
    return JSONResponse(status.to_json())


async def kpi(request: Request) -> Response:
    """Replies within 24 hours and forwards in a period (from the contact events)."""
    ctx = context_of(request)
    start, end = period(request)
    now = utcnow()
    start = start or now - timedelta(days=1)
    end = end or now

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            result = reply_kpi(session, start=start, end=end)
            return {
                "from": _iso(start),
                "to": _iso(end),
                "replied": result.replied,
                "replied_within_24h": result.replied_within_24h,
                "forwarded": result.forwarded,
                "within_24h_rate": result.within_24h_rate,
            }

    return JSONResponse(await ctx.db.run(load))


def _iso(value: datetime) -> str:
    return value.isoformat()


def routes() -> list[BaseRoute]:
    """Every inbox2 route with its permission."""
    admin = Permission.SETTINGS_MANAGE
    desk = Permission.DESK_USE
    board = Permission.WALLBOARD_VIEW
    post, change = ["POST"], ["PUT", "DELETE"]
    return [
        guarded_route("/api/inbox/rules", rules_list, permission=admin),
        guarded_route("/api/inbox/rules/new", rules_create, permission=admin, methods=post),
        guarded_route("/api/inbox/rules/try", rules_try, permission=admin, methods=post),
        guarded_route("/api/inbox/rules/{rule_id}", rules_change, permission=admin, methods=change),
        guarded_route("/api/inbox/templates", templates_list, permission=desk),
        guarded_route("/api/inbox/templates/new", templates_create, permission=admin, methods=post),
        guarded_route(
            "/api/inbox/templates/{template_id}", templates_change, permission=admin, methods=change
        ),
        guarded_route("/api/inbox/items/{item_id}/reply", reply, permission=desk, methods=post),
        guarded_route("/api/inbox/items/{item_id}/forward", forward, permission=desk, methods=post),
        guarded_route("/api/inbox/outbox", outbox_list, permission=desk),
        guarded_route(
            "/api/inbox/outbox/{outbox_id}/retry", outbox_retry, permission=desk, methods=post
        ),
        guarded_route("/api/inbox/faxes/{fax_id}", fax_detail, permission=desk),
        guarded_route("/api/inbox/faxes/{fax_id}/files/{page}", fax_file, permission=desk),
        guarded_route("/api/inbox/fax-reply", fax_reply, permission=desk, methods=post),
        guarded_route(
            "/api/inbox/messages/{message_id}/attachments/{part}", attachment, permission=desk
        ),
        guarded_route("/api/inbox/clock", clock, permission=board),
        guarded_route("/api/inbox/kpi", kpi, permission=board),
    ]
