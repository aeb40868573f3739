"""The switch behind leader election: only the leader talks to FreeSWITCH and runs the ACD.

``build(ctx)`` wraps the switch subsystem (ESL client, outbound-socket listener, and its
companion the call path). Every process campaigns; the one holding the PostgreSQL advisory lock
(:mod:`switch.scaleout.election`) starts the switch, takes over the calls parked in FreeSWITCH
and the agents' states (:mod:`switch.scaleout.takeover`) and answers the commands the other
processes forward (:mod:`switch.scaleout.forward`). Followers keep serving HTTP and Socket.IO
(pushes reach their sockets through Redis) and forward desk commands. On SQLite the single
process is the leader at once, as before.

A leader that loses its lock connection (database restart, network cut) tries at once to take
the lock again on a new connection. While nobody can reach the database nobody else can lead
either, so it goes on leading for up to ``REGAIN_LIMIT_S``; if it wins the lock back the calls go
on untouched (a single-process installation rides out a PostgreSQL restart this way). If another
process holds the lock, or the database stays out of reach longer than that, it stops the switch
at once (fenced) and campaigns again as a follower.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from realtime.auth.service import Principal
from switch import subsystem as switch_subsystem
from switch.callpath import wrapup_hook
from switch.callpath.core import CallPath
from switch.scaleout.election import LeaderLock, SoleLeader, lock_for
from switch.scaleout.forward import REGISTRY, CommandBus, LeaderUnavailable, Registered
from switch.scaleout.takeover import TakeoverReport, take_over

if TYPE_CHECKING:
    from realtime.http.context import AppContext
    from switch.subsystem import SwitchSubsystem

log = logging.getLogger(__name__)

CONNECT_WAIT_S = 3600.0
"""How long a new leader waits for FreeSWITCH before taking over (it retries meanwhile)."""
REGAIN_LIMIT_S = 10.0
"""How long a leader that lost its lock connection may go on leading while the database is out
of reach (nobody else can take the lock then); after that it stops the switch."""

SYSTEM = Principal(
    user_id=0,
    username="system",
    display_name="system",
    roles=frozenset(),
    session_id="",
    second_factor_passed=True,
    totp_enabled=False,
    must_change_password=False,
)
"""Who a follower names when it forwards something no user asked for (a saved history)."""


async def _history_saved(
    path: CallPath, _principal: Principal, *, contact_id: str, agent: str
) -> None:
    await path._history_saved(contact_id, agent)


REGISTRY["history_saved"] = Registered(fn=_history_saved, target="callpath")


class LeaderGate:
    """The switch subsystem, started only while this process is the elected leader."""

    name = "switch"

    def __init__(
        self,
        ctx: AppContext,
        switch: SwitchSubsystem,
        *,
        lock: LeaderLock,
        bus: CommandBus | None,
        poll_s: float,
    ) -> None:
        self.ctx = ctx
        self.switch = switch
        self.lock = lock
        self.bus = bus
        self.poll_s = poll_s
        self.role = "follower"
        self.is_leader = False
        self.leader_since: float | None = None
        self.takeover: TakeoverReport | None = None
        self._campaign: asyncio.Task[None] | None = None
        self._takeover: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._forwards: set[asyncio.Task[Any]] = set()

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Campaign in the background (SQLite: lead at once)."""
        self._loop = asyncio.get_running_loop()
        if isinstance(self.lock, SoleLeader):
            await self._lead()
            return
        wrapup_hook.listen(self.ctx.db.engine, self._history_committed)
        self._campaign = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop campaigning; a leader stops the switch and releases the lock."""
        for task in (self._campaign, self._takeover, *self._forwards):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.is_leader:
            self.is_leader = False
            if self.bus is not None:
                await self.bus.stop_serving()
            await self.switch.stop()
        else:
            wrapup_hook.forget(self.ctx.db.engine)
        self.role = "stopped"
        await self.lock.release()
        if self.bus is not None:
            await self.bus.close()

    async def ready(self) -> None:
        """A leader is ready with its ESL connection; a follower is ready to serve."""
        if self.is_leader:
            await self.switch.ready()

    def describe(self) -> dict[str, Any]:
        """The role for /readyz."""
        info: dict[str, Any] = {"role": self.role, "pid": os.getpid()}
        if self.leader_since is not None:
            info["leader_since"] = self.leader_since
        if self.takeover is not None:
            info["takeover"] = {
                "callers": self.takeover.callers,
                "agents": self.takeover.agents,
                "seconds": self.takeover.seconds,
            }
        return info

    # -- election -----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._campaign_until_leader()
            await self._lead()
            await self._hold_lead()
            await self._fence()

    async def _campaign_until_leader(self) -> None:
        while True:
            try:
                if await self.lock.try_acquire():
                    return
            except Exception as exc:  # database down: keep trying, stay a follower
                log.warning("leader election failed (%s); retrying", type(exc).__name__)
                await self.lock.release()
            await asyncio.sleep(self.poll_s)

    async def _hold_lead(self) -> None:
        """Return when this process must stop leading (another holds the lock, or too long
        without the database)."""
        lost_since: float | None = None
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                if await self.lock.still_held():
                    lost_since = None
                    continue
            except Exception:  # the check itself failed: treat as lost
                log.warning("leader lock check failed; trying to regain the lock")
            now = time.monotonic()
            if lost_since is None:
                lost_since = now
            without_s = now - lost_since
            with contextlib.suppress(Exception):
                await self.lock.release()
            try:
                if await self.lock.try_acquire():
                    log.warning("switch leader lock regained after %.1f s", without_s)
                    lost_since = None
                    continue
                log.critical("another process holds the switch leader lock")
                return
            except Exception as exc:
                if without_s > REGAIN_LIMIT_S:
                    log.critical("database out of reach for %.0f s (%s)", without_s, exc)
                    return

    async def _lead(self) -> None:
        log.warning("this process (pid %d) is the switch leader", os.getpid())
        self.role = "taking-over"
        self.is_leader = True
        self.leader_since = time.time()
        await self.switch.start()
        if self.bus is not None:
            await self.bus.serve(self.ctx.extras)
        path = self.ctx.extras.get("callpath")
        if isinstance(path, CallPath):
            self._takeover = asyncio.create_task(self._take_over(path))
        else:
            self.role = "leader"

    async def _take_over(self, path: CallPath) -> None:
        await self.switch.wait_ready(CONNECT_WAIT_S)
        try:
            self.takeover = await take_over(path)
        finally:
            self.role = "leader"

    async def _fence(self) -> None:
        """The lock is lost for good: stop driving FreeSWITCH now, then campaign as a follower."""
        log.critical("switch leader lock lost: stopping the switch; campaigning again")
        self.role = "fenced"
        self.is_leader = False
        if self.bus is not None:
            await self.bus.stop_serving()
        with contextlib.suppress(Exception):
            await self.switch.stop()
        with contextlib.suppress(Exception):
            await self.lock.release()
        self.takeover = None
        self.leader_since = None
        self.role = "follower"
        # the call path's stop removed its history hook: forward histories to the new leader
        wrapup_hook.listen(self.ctx.db.engine, self._history_committed)

    # -- forwarding ---------------------------------------------------------------------------

    async def forward(self, action: str, principal: Principal, args: dict[str, Any]) -> Any:
        """Run a leader-only command on the leader (this process is a follower)."""
        if self.bus is None:
            raise LeaderUnavailable(action=action, reason="no Redis to reach the leader")
        return await self.bus.call(action, principal, args)

    def _history_committed(self, contact_id: str, agent: str) -> None:
        """A history was saved on this follower: the leader ends the agent's wrap-up."""
        loop = self._loop
        if loop is None or self.is_leader:
            return

        def send() -> None:
            task = asyncio.ensure_future(
                self.forward("history_saved", SYSTEM, {"contact_id": contact_id, "agent": agent})
            )
            self._forwards.add(task)
            task.add_done_callback(self._forward_done)

        loop.call_soon_threadsafe(send)

    def _forward_done(self, task: asyncio.Task[Any]) -> None:
        self._forwards.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("history receipt not forwarded: %s", task.exception())


def build(ctx: AppContext) -> LeaderGate | None:
    """The switch subsystem behind leader election, or None when the switch is off."""
    switch = switch_subsystem.build(ctx)
    if switch is None:
        return None
    settings = ctx.settings
    lock = lock_for(settings.effective_database_url)
    bus = None
    if settings.redis_url and not isinstance(lock, SoleLeader):
        bus = CommandBus(settings.redis_url, timeout_s=settings.leader_forward_timeout_seconds)
    gate = LeaderGate(ctx, switch, lock=lock, bus=bus, poll_s=settings.leader_poll_seconds)
    ctx.extras["switch_leader"] = gate
    return gate
