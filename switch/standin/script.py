"""The scenario API tests and the demo drive the stand-in with.

fs = FreeSwitchStandIn(outbound=("127.0.0.1", 8084), scale=0.01)
await fs.start()
fs.register_agent("1001", auto_answer=True)
call = await fs.call(did="0339811111", caller="09012345678")
await call.wait(2).press("1").hangup_after(40)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from pathlib import Path
from typing import Any

from switch.standin.channels import Channel
from switch.standin.clock import Clock
from switch.standin.core import Agent, SwitchConfig
from switch.standin.server import DEFAULT_PASSWORD, Outbound, StandInServer

Step = Callable[["Call"], Awaitable[None]]


class Call:
    """A scripted inbound call; steps chain and run when the call is awaited."""

    def __init__(self, fs: FreeSwitchStandIn, channel: Channel) -> None:
        self.fs = fs
        self.channel = channel
        self.steps: list[Step] = []

    @property
    def uuid(self) -> str:
        """The channel's Unique-ID."""
        return self.channel.uuid

    def wait(self, seconds: float) -> Call:
        """Let ``seconds`` of (virtual) time pass."""

        async def step(call: Call) -> None:
            await call.fs.clock.sleep(seconds)

        self.steps.append(step)
        return self

    def press(self, digits: str) -> Call:
        """The caller presses ``digits`` (one DTMF event each, 100 ms apart)."""

        async def step(call: Call) -> None:
            for digit in digits:
                call.fs.server.switch.dtmf(call.channel, digit)
                await call.fs.clock.sleep(0.1)

        self.steps.append(step)
        return self

    def hangup_after(self, seconds: float, cause: str = "NORMAL_CLEARING") -> Call:
        """The caller hangs up ``seconds`` later (if the call still exists)."""

        async def step(call: Call) -> None:
            await call.fs.clock.sleep(seconds)
            call.fs.server.switch.hangup(call.channel, cause)

        self.steps.append(step)
        return self

    def hangup(self, cause: str = "NORMAL_CLEARING") -> Call:
        """The caller hangs up now."""
        return self.hangup_after(0, cause)

    async def run(self) -> None:
        """Run the queued steps in order."""
        steps, self.steps = self.steps, []
        for step in steps:
            await step(self)

    def __await__(self) -> Generator[Any, None, None]:
        return self.run().__await__()


class FreeSwitchStandIn:
    """Start, script and break the stand-in."""

    def __init__(
        self,
        *,
        password: str = DEFAULT_PASSWORD,
        host: str = "127.0.0.1",
        port: int = 0,
        outbound: tuple[str, int] | None = None,
        scale: float = 1.0,
        media_dir: Path | None = None,
        heartbeat_interval: float = 20.0,
    ) -> None:
        self.clock = Clock(scale=scale)
        config = SwitchConfig(heartbeat_interval=heartbeat_interval)
        if media_dir is not None:
            config.media_dir = media_dir
        self.server = StandInServer(
            config=config,
            clock=self.clock,
            password=password,
            host=host,
            port=port,
            outbound=Outbound(*outbound) if outbound is not None else None,
        )
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The inbound ESL port."""
        return self.server.port

    async def start(self) -> None:
        """Listen for ESL clients."""
        await self.server.start()

    async def stop(self) -> None:
        """Stop everything."""
        for task in list(self.tasks):
            task.cancel()
        await self.server.stop()

    def register_agent(
        self, extension: str, *, auto_answer: bool = True, answer_delay: float = 0.5
    ) -> Agent:
        """An agent endpoint registers (user/<extension> becomes reachable)."""
        agent = Agent(extension=extension, auto_answer=auto_answer, answer_delay=answer_delay)
        self.server.switch.agents[extension] = agent
        return agent

    def unregister_agent(self, extension: str) -> None:
        """An agent endpoint's registration goes away."""
        self.server.switch.agents.pop(extension, None)

    def hears(self, uuid: str) -> set[str]:
        """Whose voices the party on channel ``uuid`` hears (bridges and eavesdrops)."""
        return self.server.apps.hears(uuid)

    def press(self, uuid: str, digits: str) -> None:
        """The party on channel ``uuid`` presses keys (DTMF received from its phone)."""
        ch = self.server.switch.channels.get(uuid)
        if ch is not None:
            for digit in digits:
                self.server.switch.dtmf(ch, digit)

    def phone_hangs_up(self, uuid: str) -> None:
        """The phone on channel ``uuid`` hangs up (a BYE from the endpoint)."""
        ch = self.server.switch.channels.get(uuid)
        if ch is not None:
            self.server.switch.hangup(ch, "NORMAL_CLEARING")

    async def call(
        self,
        *,
        did: str,
        caller: str,
        caller_name: str | None = None,
        fax_pages: int | None = None,
    ) -> Call:
        """A call from ``caller`` to ``did`` arrives and goes to the dialplan (the socket)."""
        sw = self.server.switch
        ch = sw.new_channel(
            direction="inbound",
            caller_name=caller_name if caller_name is not None else caller,
            caller_number=caller,
            destination=did,
            name=f"sofia/external/{caller}@203.0.113.10",
            network_addr="203.0.113.10",
        )
        if fax_pages is not None:
            sw.fax_pages[ch.uuid] = fax_pages
        sw.init(ch)
        self._spawn(self.server.route(ch, did))
        return Call(self, ch)

    def _spawn(self, coro: Awaitable[None]) -> None:
        async def run() -> None:
            await coro

        task = asyncio.ensure_future(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def drop_esl(self) -> None:
        """Every ESL connection breaks (no notice)."""
        self.server.drop_connections()

    def deny_acl(self, deny: bool = True) -> None:
        """New ESL connections get a rude rejection (the client's address fails the ACL)."""
        self.server.deny_all = deny

    def stall(self) -> None:
        """Stop reading and writing without closing."""
        self.server.stall()

    def resume(self) -> None:
        """Read and write again after :meth:`stall`."""
        self.server.resume()

    async def restart(self) -> None:
        """FreeSWITCH restarts: connections and channels gone, new Core-UUID."""
        await self.server.restart()
