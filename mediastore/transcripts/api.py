"""Transcript routes: the transcript beside the player, queueing, queue progress."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from mediastore.recordings.context import viewer_of
from mediastore.transcripts import service
from mediastore.transcripts.queue import jobs
from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route


async def transcript(request: Request) -> Response:
    """Masked segments per channel with word timestamps, and the job's progress."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    recording_id = request.path_params["recording_id"]

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            return service.transcript(session, viewer=viewer, recording_id=recording_id)

    return JSONResponse(await ctx.db.run(load))


async def transcribe(request: Request) -> Response:
    """Queue the recording for transcription (again)."""
    ctx = context_of(request)
    viewer = await viewer_of(request)
    recording_id = request.path_params["recording_id"]

    def do() -> dict[str, Any]:
        with ctx.db.session() as session:
            return service.request_transcription(session, viewer=viewer, recording_id=recording_id)

    return JSONResponse(await ctx.db.run(do), status_code=202)


async def queue(request: Request) -> Response:
    """The newest transcription jobs with their progress."""
    ctx = context_of(request)

    def load() -> list[dict[str, Any]]:
        with ctx.db.session() as session:
            return [job.to_json() for job in jobs(session)]

    return JSONResponse(
        {"enabled": ctx.settings.transcribe_model_path is not None, "jobs": await ctx.db.run(load)}
    )


def routes() -> list[BaseRoute]:
    """The transcript routes."""
    item = "/api/media/recordings/{recording_id}"
    return [
        guarded_route(item + "/transcript", transcript, permission=Permission.RECORDINGS_LISTEN),
        guarded_route(
            item + "/transcribe",
            transcribe,
            permission=Permission.RECORDINGS_MANAGE,
            methods=["POST"],
        ),
        guarded_route("/api/media/transcripts/jobs", queue, permission=Permission.QA_EVALUATE),
    ]
