"""Long-running parts of the server (the switch connection, IMAP intake, schedulers).

Each package that runs something in the background offers a factory
``build(ctx) -> Subsystem | None`` (None when its settings say it is off). The app starts them in
order when it starts, registers their readiness checks, and stops them in reverse order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

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
