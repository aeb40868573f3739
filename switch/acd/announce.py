"""Position and expected-wait announcements for callers in queue."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Announcement:
    """What to tell a waiting caller: place in line and, when known, the expected wait."""

    contact_id: str
    queue_id: str
    position: int
    expected_wait_s: float | None
    at: float

    def text_ja(self) -> str:
        """The guidance read to the caller (Japanese)."""
        head = f"ただいま{self.position}番目にお待ちいただいております。"
        if self.expected_wait_s is None:
            return head + "順番におつなぎしますので、このままお待ちください。"
        minutes = max(1, math.ceil(self.expected_wait_s / 60))
        return head + f"おつなぎするまで約{minutes}分です。このままお待ちください。"


class HandleTimes:
    """Recent handle times (talk + hold + wrap-up) of one queue; the mean feeds expected waits."""

    def __init__(self, *, default_s: float, window: int) -> None:
        self._default = default_s
        self._recent: deque[float] = deque(maxlen=window)
        self._sum = 0.0

    def add(self, seconds: float) -> None:
        """Record one finished contact."""
        if len(self._recent) == self._recent.maxlen:
            self._sum -= self._recent[0]
        self._recent.append(seconds)
        self._sum += seconds

    def mean(self) -> float:
        """Mean of the window, or the default before any contact finished."""
        return self._sum / len(self._recent) if self._recent else self._default


def expected_wait(*, position: int, aht_s: float, serving_agents: int) -> float | None:
    """Expected seconds until answer: callers ahead and this one, shared over the agents."""
    if serving_agents <= 0:
        return None
    return position * aht_s / serving_agents
