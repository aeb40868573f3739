"""Where the call path plugs its queues and agents into the wallboard (payload: docs/monitoring.md).

The call path calls :func:`register` once with an async function returning the floor state
(``{"queues": [...], "agents": [...]}``) and emits ``floor`` on /supervisor (room ``all``) with
the same shape whenever it changes. The wallboard's snapshot carries it; the monitor reads it for
the wait-over-threshold rule. With nothing registered the snapshot says ``"floor": null`` and the
wallboard shows that no call data is connected (no queue data is ever invented).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from realtime.http.context import AppContext

FloorSource = Callable[[], Awaitable[dict[str, Any]]]
KEY = "monitoring.floor_source"


def register(ctx: AppContext, source: FloorSource) -> None:
    """Make ``source`` the floor state of the wallboard and of the queue-wait rule."""
    ctx.extras[KEY] = source


def source_of(ctx: AppContext) -> FloorSource | None:
    """The registered floor source, if the call path is running."""
    found: FloorSource | None = ctx.extras.get(KEY)
    return found
