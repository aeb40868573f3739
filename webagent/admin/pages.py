"""The settings pages: /admin (the menu) and one page per setting, all admin.settings.

Pages are rendered on the server from the services; the forms on them call the JSON routes of
each package (which validate, store and audit) through static/js/admin.js.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from realtime.auth.permissions import Permission
from realtime.http.context import context_of
from realtime.http.guard import guarded_route
from webagent.admin.loaders import LOADERS, recent_changes
from webagent.admin.screens import ACTION_LABELS_JA, SCREENS, Screen
from webagent.views import render

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


async def menu(request: Request) -> Response:
    """Every settings screen, grouped."""
    groups: dict[str, list[Screen]] = {}
    for screen in SCREENS:
        groups.setdefault(screen.group_ja, []).append(screen)
    return render(request, "admin/menu.html", {"groups": groups})


def _page(screen: Screen) -> Endpoint:
    loader = LOADERS[screen.slug]

    async def page(request: Request) -> Response:
        ctx = context_of(request)
        query = {k: v for k, v in request.query_params.items()}

        def load() -> dict[str, Any]:
            with ctx.db.session() as session:
                data = loader(session, query)
                data["changes"] = recent_changes(session, actions=screen.actions)
                return data

        data = await ctx.db.run(load)
        data.update(screen=screen, action_labels=ACTION_LABELS_JA)
        return render(request, screen.template, data)

    page.__name__ = f"admin_{screen.slug}"
    page.__doc__ = f"The {screen.slug} settings screen."
    return page


def routes() -> list[BaseRoute]:
    """/admin and each settings screen (admin.settings; everyone else gets 403)."""
    need = Permission.SETTINGS_MANAGE
    return [
        guarded_route("/admin", menu, permission=need),
        *(guarded_route(s.path, _page(s), permission=need) for s in SCREENS),
    ]
