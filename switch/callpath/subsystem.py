"""The call path as a background part of the server (needs the switch subsystem)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switch.callpath.commands import commands_of
from switch.callpath.core import CallPath

if TYPE_CHECKING:
    from realtime.http.context import AppContext


def build(ctx: AppContext) -> None:
    """Attach the call path to the switch when it is on (listed after the switch's factory).

    It runs as the switch's companion (started once the switch is, stopped before it), so it
    adds no readiness check of its own: ready means the switch is."""
    switch = ctx.extras.get("switch")
    if switch is None:
        return
    path = CallPath(ctx, switch)
    ctx.extras["callpath"] = path
    commands_of(ctx)  # the leader runs forwarded commands on it
    ctx.hub.add_snapshot_provider("/agent", path.agent_snapshot)
    ctx.hub.add_snapshot_provider("/supervisor", path.supervisor_snapshot)
    switch.add_companion(path)
