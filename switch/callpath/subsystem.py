"""The call path as a background part of the server (needs the switch subsystem)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switch.callpath.core import CallPath

if TYPE_CHECKING:
    from realtime.http.context import AppContext


def build(ctx: AppContext) -> CallPath | None:
    """The call path when the switch is on (it must be listed after the switch's factory)."""
    switch = ctx.extras.get("switch")
    if switch is None:
        return None
    path = CallPath(ctx, switch)
    ctx.extras["callpath"] = path
    ctx.hub.add_snapshot_provider("/agent", path.agent_snapshot)
    ctx.hub.add_snapshot_provider("/supervisor", path.supervisor_snapshot)
    return path
