"""The call path features' desk and supervisor commands, run on the switch leader.

Transfers, supervision, call-backs and the survey keep their state in the leader's call path.
Their entry points are methods of :class:`Commands` marked ``@forward_to_leader``: on the leader
(or with one process) they run here; on a follower they go to the leader over Redis and its
answer or error comes back (docs/operations.md "Scale-out").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from realtime.auth.service import Principal
from switch.scaleout.forward import forward_to_leader

if TYPE_CHECKING:
    from realtime.http.context import AppContext

EXTRAS_KEY = "callpath_commands"


class Commands:
    """Leader-only commands of transfers, supervision, call-backs and the survey."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def _path(self) -> Any:
        from switch.callpath.desk import callpath_of

        return callpath_of(self.ctx)

    @forward_to_leader("transfer", target=EXTRAS_KEY)
    async def transfer(self, principal: Principal, *, data: Any) -> dict[str, Any]:
        """Blind or consult transfer, complete or cancel (contract in docs/callpath.md)."""
        from switch.callpath.transfer import transfers_of

        return await transfers_of(self._path()).request(principal, data=data)

    @forward_to_leader("supervisor_action", target=EXTRAS_KEY)
    async def supervisor(self, principal: Principal, *, action: str, data: Any) -> dict[str, Any]:
        """Listen, whisper, barge, stop, force not ready, requeue."""
        from switch.callpath.supervise_api import run_supervisor_action

        return await run_supervisor_action(self.ctx, action, principal, data)

    @forward_to_leader("survey", target=EXTRAS_KEY)
    async def survey(self, principal: Principal) -> dict[str, Any]:
        """Hand the connected caller to the satisfaction survey."""
        from switch.callpath.survey import surveys_of

        return await surveys_of(self._path()).hand_off(principal)

    @forward_to_leader("callback_dial", target=EXTRAS_KEY)
    async def callback_dial(self, principal: Principal, *, item_id: str) -> dict[str, Any]:
        """Call a citizen back from a call-back work item."""
        from switch.callpath.callback import callbacks_of

        return await callbacks_of(self._path()).dial(principal, item_id=item_id)

    @forward_to_leader("callback_close", target=EXTRAS_KEY)
    async def callback_close(
        self, principal: Principal, *, item_id: str, outcome: str
    ) -> dict[str, Any]:
        """Record the agent's verdict and close the call-back (its number is erased)."""
        from switch.callpath.callback import callbacks_of

        return await callbacks_of(self._path()).close(principal, item_id=item_id, outcome=outcome)


def commands_of(ctx: Any) -> Commands:
    """This app's commands object (made on first use; the call path's build makes it early)."""
    found = ctx.extras.get(EXTRAS_KEY)
    if isinstance(found, Commands):
        return found
    made = Commands(ctx)
    ctx.extras[EXTRAS_KEY] = made
    return made
