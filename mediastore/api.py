"""Every mediastore route: recordings, playback, retention, QA and transcripts."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mediastore.qa import api as qa
from mediastore.recordings import api as recordings
from mediastore.recordings import player
from mediastore.retention import api as retention
from mediastore.transcripts import api as transcripts
from realtime.auth.permissions import Permission
from realtime.http.guard import guarded_route


def routes() -> list[BaseRoute]:
    """The mediastore routes, each with the permission it needs."""
    return [
        *recordings.routes(),
        *qa.routes(),
        *transcripts.routes(),
        *retention.routes(),
        guarded_route(
            "/media/recordings/{recording_id}", player.page, permission=Permission.RECORDINGS_LISTEN
        ),
        guarded_route("/media/player.js", player.script, permission=Permission.RECORDINGS_LISTEN),
    ]
