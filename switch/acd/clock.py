"""Clocks: the ACD reads time only through a callable, so it runs on real or simulated time."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds as a float; only differences matter."""


def monotonic_clock() -> float:
    """Real time for production use."""
    return time.monotonic()


class ManualClock:
    """Simulated time: stands still until moved forward."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def __call__(self) -> float:
        return self._now

    def set(self, now: float) -> None:
        """Move to ``now``; time never goes back."""
        if now < self._now:
            raise ValueError(f"clock cannot go back from {self._now} to {now}")
        self._now = now

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        self.set(self._now + seconds)
