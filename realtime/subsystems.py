"""Long-running parts of the server (the switch connection, IMAP intake, schedulers).

Each package that runs something in the background offers a factory
``build(ctx) -> Subsystem | None`` (None when its settings say it is off). The app starts them in
order when it starts, registers their readiness checks, and stops them in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from realtime.http.context import AppContext


class Subsystem(Protocol):
    """What the app needs from a background part."""

    name: str

    async def start(self) -> None:
        """Begin work; return once running (do not block for the life of the server)."""

    async def stop(self) -> None:
        """Finish or abandon work cleanly."""

    async def ready(self) -> None:
        """Raise when the part cannot serve (feeds /readyz)."""


SubsystemFactory = Callable[["AppContext"], "Subsystem | None"]
Check = Callable[[], Awaitable[None]]


@dataclass
class LoopTask:
    """The one loop task a background part runs: started with the part, cancelled when it
    stops, and failing the part's readiness check once it has ended on its own."""

    what: str
    """Named in the readiness error: "<what> stopped"."""
    _task: asyncio.Task[None] | None = None

    def start(self, loop: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run ``loop`` as the part's task."""
        self._task = asyncio.create_task(loop, name=name)

    async def stop(self) -> None:
        """Cancel the task and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def check(self) -> None:
        """Raise when the task has ended (feeds the part's ``ready``)."""
        if self._task is not None and self._task.done():
            raise RuntimeError(f"{self.what} stopped")
