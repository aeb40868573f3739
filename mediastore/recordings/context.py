"""The media store and the signed-in viewer for a request."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from mediastore.recordings.service import Viewer
from mediastore.store.config import store_from_settings
from mediastore.store.store import MediaStore
from realtime.errors import NotAuthenticated
from realtime.http.guard import current_principal

_KEY = "media_store"


def store_of(ctx: Any) -> MediaStore:
    """The app's media store, built once from the settings."""
    store = ctx.extras.get(_KEY)
    if store is None:
        store = store_from_settings(ctx.settings)
        ctx.extras[_KEY] = store
    assert isinstance(store, MediaStore)
    return store


async def viewer_of(request: Request) -> Viewer:
    """Who is asking (the guard has already checked the route's permission)."""
    principal = await current_principal(request)
    if principal is None:
        raise NotAuthenticated()
    return Viewer.of(principal)


def client_ip(request: Request) -> str:
    """The peer address for the audit log."""
    return request.client.host if request.client else ""
