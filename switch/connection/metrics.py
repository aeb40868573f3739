"""Counters of the connection layer (exported by the server's metrics endpoint)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields


@dataclass
class ConnectionMetrics:
    """Monotonic counters; ``incr`` is safe from the reader thread and from asyncio."""

    connects: int = 0
    connect_failures: int = 0
    auth_failures: int = 0
    rude_rejections: int = 0
    disconnects: int = 0
    silent_disconnects: int = 0
    malformed_frames: int = 0
    partial_frames: int = 0
    malformed_events: int = 0
    unknown_frames: int = 0
    events_received: int = 0
    events_dropped: int = 0
    error_replies: int = 0
    handler_errors: int = 0
    reconciliations: int = 0
    reconciled_events: int = 0
    invalid_transitions: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def incr(self, name: str, amount: int = 1) -> None:
        """Add ``amount`` to the counter called ``name``."""
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def snapshot(self) -> dict[str, int]:
        """Every counter by name."""
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_lock"}
