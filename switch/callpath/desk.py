"""What the agent desk and the supervisor screens call, over Socket.IO or HTTP."""

from __future__ import annotations

from typing import Any

from realtime.auth.service import Principal
from switch.callpath.commands import commands_of
from switch.callpath.core import CallPath
from switch.callpath.errors import SwitchUnavailable


def callpath_of(ctx: Any) -> CallPath:
    """The running call path of this app, or a clear 503."""
    found = ctx.extras.get("callpath")
    if not isinstance(found, CallPath):
        raise SwitchUnavailable()
    return found


async def socket_action(ctx: Any, action: str, principal: Principal, data: Any) -> dict[str, Any]:
    """A desk event from /agent: accept, ready, not_ready (with ``reason``), transfer, survey."""
    if action == "transfer":
        from switch.callpath.transfer_api import transfer_action

        return await transfer_action(ctx, principal, data)
    if action == "survey":
        return await commands_of(ctx).survey(principal)
    path = callpath_of(ctx)
    if action == "accept":
        view = await path.accept(principal)
    else:
        reason = data.get("reason") if isinstance(data, dict) else None
        view = await path.set_state(
            principal, state=action, reason=reason if isinstance(reason, str) else None
        )
    return {"ok": True, "callpath": view}


def socket_left(ctx: Any, user_id: int, *, still_connected: bool) -> None:
    """An /agent socket closed (hub hook)."""
    found = ctx.extras.get("callpath")
    if isinstance(found, CallPath):
        found.socket_left(user_id, still_connected=still_connected)
