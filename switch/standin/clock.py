"""Time for the stand-in: real time for the demo, a scaled virtual clock for fast tests."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Clock:
    """``scale`` real seconds pass per virtual second (1.0 = real time, 0.01 = 100x faster)."""

    scale: float = 1.0
    _origin_real: float = field(default_factory=time.monotonic)
    _origin_epoch: float = field(default_factory=time.time)

    def now(self) -> float:
        """Virtual epoch seconds."""
        return self._origin_epoch + (time.monotonic() - self._origin_real) / self.scale

    def now_us(self) -> int:
        """Virtual epoch microseconds, as FreeSWITCH's timestamps are."""
        return int(self.now() * 1_000_000)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time."""
        await asyncio.sleep(max(0.0, seconds) * self.scale)
