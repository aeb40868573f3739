"""The production client and outbound server wired to an in-process stand-in over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from switch.connection.client import Backoff, ClientConfig, EslClient
from switch.connection.control import CallControl
from switch.connection.events import SwitchEvent
from switch.connection.outbound import OutboundServer, SessionHandler
from switch.standin import FreeSwitchStandIn

FAST = Backoff(initial=0.02, factor=2.0, maximum=0.2, jitter=0.0)
SCALE = 0.01  # 1 virtual second = 10 ms
WAIT = 10.0


@dataclass
class EventLog:
    """Every event the client handed to its handlers, in order, with waiting by predicate."""

    events: list[SwitchEvent] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def __call__(self, event: SwitchEvent) -> None:
        async with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    async def wait(
        self, predicate: Callable[[SwitchEvent], bool], within: float = WAIT
    ) -> SwitchEvent:
        """The first logged event matching ``predicate`` (waiting for it if needed)."""

        async def find() -> SwitchEvent:
            async with self.changed:
                while True:
                    for event in self.events:
                        if predicate(event):
                            return event
                    await self.changed.wait()

        return await asyncio.wait_for(find(), within)

    async def wait_for(self, name: str, uuid: str | None = None, **headers: str) -> SwitchEvent:
        """The first event called ``name`` (about ``uuid``, with these header values)."""

        def match(event: SwitchEvent) -> bool:
            if event.name != name and event.key != name:
                return False
            if uuid is not None and event.unique_id != uuid:
                return False
            return all(event.get(k.replace("_", "-")) == v for k, v in headers.items())

        return await self.wait(match)

    def about(self, uuid: str) -> list[SwitchEvent]:
        """Events about one channel, in arrival order."""
        return [e for e in self.events if e.unique_id == uuid]


@dataclass
class Rig:
    """Stand-in, client, call control, outbound server and the client's event log."""

    fs: FreeSwitchStandIn
    client: EslClient
    control: CallControl
    log: EventLog
    outbound: OutboundServer | None
    media: Path


async def until(predicate: Callable[[], bool], within: float = WAIT) -> None:
    """Wait for state changed by another thread (the gevent reader), yielding the loop."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110  (state changes come from another thread)
            await asyncio.sleep(0.001)

    await asyncio.wait_for(poll(), within)


@contextlib.asynccontextmanager
async def rig(
    media: Path,
    *,
    handler: SessionHandler | None = None,
    event_format: Literal["plain", "json"] = "plain",
    password: str = "ClueCon",  # noqa: S107 - the stand-in's stock password
    connect: bool = True,
    **client_options: Any,
) -> AsyncIterator[Rig]:
    """Start everything on loopback port 0; stop it all afterwards."""
    outbound: OutboundServer | None = None
    if handler is not None:
        outbound = OutboundServer(handler, host="127.0.0.1", port=0)
        await outbound.start()
    fs = FreeSwitchStandIn(
        scale=SCALE,
        media_dir=media,
        heartbeat_interval=20.0,
        outbound=("127.0.0.1", outbound.port) if outbound is not None else None,
    )
    await fs.start()
    options: dict[str, Any] = {
        "connect_timeout": 2.0,
        "command_timeout": 5.0,
        "silence_timeout": 5.0,
        "backoff": FAST,
    }
    options.update(client_options)
    client = EslClient(
        ClientConfig(
            host="127.0.0.1",
            port=fs.port,
            password=password,
            event_format=event_format,
            **options,
        )
    )
    log = EventLog()
    client.add_handler("*", log)
    await client.start()
    try:
        if connect:
            await client.wait_connected(WAIT)
        yield Rig(
            fs=fs,
            client=client,
            control=CallControl(client),
            log=log,
            outbound=outbound,
            media=media,
        )
    finally:
        await client.stop()
        await fs.stop()
        if outbound is not None:
            await outbound.stop()


def scenario(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop (with a deadline, so a hang fails the test)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def main() -> None:
            await asyncio.wait_for(test(*args, **kwargs), 30)

        asyncio.run(main())

    run.__signature__ = inspect.signature(test)  # type: ignore[attr-defined]
    return run
