"""Demo traffic: scripted citizens calling the demo ward through the FreeSWITCH stand-in.

Only in standin mode and only when ``MADOGUCHI_DEMO_TRAFFIC_PER_HOUR`` is above 0 (``madoguchi
demo`` sets 30). Calls arrive at random (exponential gaps); each caller dials the main line (one
in ten the COVID-19 line), picks a menu, waits with a patience of one to four minutes and hangs up
if nobody answers (an abandoned call), or talks for one to three minutes once an agent has
accepted. People signed in to the demo desk therefore see pops, queues and the wallboard move.
The caller numbers are made up (090 + random digits) and, like every caller id, never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from switch.calendar.model import COVID_DID, MAIN_DID

if TYPE_CHECKING:
    from realtime.http.context import AppContext
    from switch.standin import FreeSwitchStandIn

log = logging.getLogger(__name__)

MENU_WEIGHTS = {"1": 35, "2": 25, "3": 20, "4": 15, "9": 5}
"""How demo callers choose on the main line (住民票・戸籍, 税金, 国保・年金, 子育て, 交換)."""


@dataclass(frozen=True)
class Caller:
    """One scripted citizen."""

    did: str
    number: str
    digits: str
    patience_s: float
    talk_s: float


def make_caller(rng: random.Random) -> Caller:
    """A caller with a line, a menu choice, a patience and a talk time."""
    covid = rng.random() < 0.1
    digits = (
        "" if covid else rng.choices(list(MENU_WEIGHTS), weights=list(MENU_WEIGHTS.values()))[0]
    )
    return Caller(
        did=COVID_DID if covid else MAIN_DID,
        number="090" + "".join(rng.choices("0123456789", k=8)),
        digits=digits,
        patience_s=rng.uniform(60, 240),
        talk_s=rng.uniform(60, 180),
    )


async def run_caller(fs: FreeSwitchStandIn, caller: Caller, *, poll_s: float = 1.0) -> str:
    """Play one caller to the end; ``answered``, ``abandoned`` or ``ended`` (by the system)."""
    call = await fs.call(did=caller.did, caller=caller.number)
    await call.wait(2.0)
    if caller.digits:
        await call.press(caller.digits)
    waited = 0.0
    while call.channel.alive and call.channel.bridged_to is None:
        if waited >= caller.patience_s:
            await call.hangup()
            return "abandoned"
        await fs.clock.sleep(poll_s)
        waited += poll_s
    if not call.channel.alive:
        return "ended"
    await fs.clock.sleep(caller.talk_s)
    if call.channel.alive:
        await call.hangup()
    return "answered"


@dataclass
class DemoTraffic:
    """The subsystem: places demo calls while the server runs."""

    ctx: AppContext
    per_hour: float
    rng: random.Random = field(default_factory=random.Random)
    name: str = "demo-traffic"
    placed: int = 0
    _task: asyncio.Task[None] | None = None
    _callers: set[asyncio.Task[Any]] = field(default_factory=set)

    def _standin(self) -> FreeSwitchStandIn | None:
        switch = self.ctx.extras.get("switch")
        return getattr(switch, "standin", None)

    async def start(self) -> None:
        """Start placing calls."""
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Stop placing calls; callers still on the line are hung up with the stand-in."""
        tasks = [t for t in (self._task, *self._callers) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None

    async def ready(self) -> None:
        """Ready while the loop runs."""
        if self._task is not None and self._task.done():
            raise RuntimeError("demo traffic stopped")

    async def _loop(self) -> None:
        while True:
            fs = self._standin()
            gap = self.rng.expovariate(self.per_hour / 3600.0)
            if fs is None:  # the switch is not up yet (or this process is not its leader)
                await asyncio.sleep(1.0)
                continue
            await fs.clock.sleep(gap)
            task = asyncio.create_task(self._one(fs, make_caller(self.rng)))
            self._callers.add(task)
            task.add_done_callback(self._callers.discard)
            self.placed += 1

    async def _one(self, fs: FreeSwitchStandIn, caller: Caller) -> None:
        try:
            await run_caller(fs, caller)
        except Exception:  # a caller of the demo must never take the server down
            log.exception("demo caller failed")


def build(ctx: AppContext) -> DemoTraffic | None:
    """Demo traffic in standin mode when a rate is set."""
    settings = ctx.settings
    if settings.switch_mode != "standin" or settings.demo_traffic_per_hour <= 0:
        return None
    return DemoTraffic(ctx, per_hour=settings.demo_traffic_per_hour)
