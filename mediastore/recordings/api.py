"""Recording routes: search, details, playback with Range, download, hold, manual deletion."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from crm.interactions.http import flag, json_body, page_params
from mediastore.recordings import service
from mediastore.recordings.context import client_ip, store_of, viewer_of
from mediastore.recordings.params import criteria
from mediastore.recordings.playback import open_for_http
from mediastore.retention import service as retention
from realtime.audit import service as audit
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


async def search(request: Request) -> Response:
    """Search by period, agent, line, menu, duration, outcome and transcript words."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    filters = criteria(request)
    page, per_page = page_params(request)

    def load() -> tuple[int, list[dict[str, object]]]:
        with ctx.db.session() as session:
            return service.search_recordings(
                session, viewer=viewer, criteria=filters, page=page, per_page=per_page
            )

    total, items = await ctx.db.run(load)
    return JSONResponse({"total": total, "page": page, "per_page": per_page, "items": items})


async def detail(request: Request) -> Response:
    ctx = context_of(request)
    viewer = await viewer_of(request)
    recording_id = request.path_params["recording_id"]

    def load() -> dict[str, object]:
        with ctx.db.session() as session:
            row = service.get_visible(
                session, viewer=viewer, recording_id=recording_id, allow_deleted=True
            )
            return service.recording_json(row)

    return JSONResponse(await ctx.db.run(load))


async def _send(request: Request, *, download: bool) -> Response:
    ctx = context_of(request)
    viewer = await viewer_of(request)
    recording_id = request.path_params["recording_id"]
    range_header = request.headers.get("range")
    store = store_of(ctx)

    def prepare() -> Response:
        with ctx.db.session() as session:
            row = service.get_visible(session, viewer=viewer, recording_id=recording_id)
            response, note = open_for_http(
                store=store, recording=row, range_header=range_header, download=download
            )
            audit.record(
                session,
                actor=viewer.username,
                action="recording.download" if download else "recording.play",
                outcome="success" if response.status_code < 400 else "refused",
                target=recording_id,
                ip=client_ip(request),
                detail={"sent": note, "agent": row.agent},
            )
        return response

    return await ctx.db.run(prepare)


async def play(request: Request) -> Response:
    """The audio for the browser's player; seeking sends Range requests (206, or 416)."""
    return await _send(request, download=False)


async def download(request: Request) -> Response:
    """The whole file as an attachment (supervisors and the center manager; audited)."""
    return await _send(request, download=True)


async def hold(request: Request) -> Response:
    """Set or clear the hold that stops deletion while a dispute is open."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    body = await json_body(request)
    recording_id = request.path_params["recording_id"]

    def do() -> dict[str, object]:
        with ctx.db.session() as session:
            row = retention.set_hold(
                session,
                recording_id=recording_id,
                hold=flag(body.get("hold", True)),
                reason=str(body.get("reason") or ""),
                actor=viewer.username,
            )
            return service.recording_json(row)

    return JSONResponse(await ctx.db.run(do))


async def delete(request: Request) -> Response:
    """Erase the audio and its key now, with a reason (refused while on hold)."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    body = await json_body(request)
    recording_id = request.path_params["recording_id"]
    store = store_of(ctx)

    def do() -> dict[str, object]:
        with ctx.db.session() as session:
            record = retention.delete_manually(
                session,
                store=store,
                recording_id=recording_id,
                reason=str(body.get("reason") or ""),
                actor=viewer.username,
            )
            return {"recording_id": record.recording_id, "erased_at": record.erased_at.isoformat()}

    return JSONResponse(await ctx.db.run(do))


def routes() -> list[BaseRoute]:
    """The recording routes, each with the permission it needs."""
    base = "/api/media/recordings"
    item = base + "/{recording_id}"
    return [
        guarded_route(base, search, permission=Permission.RECORDINGS_LISTEN),
        guarded_route(item, detail, permission=Permission.RECORDINGS_LISTEN),
        guarded_route(item + "/audio", play, permission=Permission.RECORDINGS_LISTEN),
        guarded_route(item + "/download", download, permission=Permission.RECORDINGS_DOWNLOAD),
        guarded_route(
            item + "/hold", hold, permission=Permission.RECORDINGS_MANAGE, methods=["POST"]
        ),
        guarded_route(
            item + "/delete", delete, permission=Permission.RECORDINGS_MANAGE, methods=["POST"]
        ),
    ]
