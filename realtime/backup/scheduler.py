"""The backup scheduler: a background part of the server (see realtime/subsystems.py).

Every ``backup_ship_seconds`` it ships the journal (or WAL) and new media; every
``backup_interval_minutes`` it takes a full generation. The work runs in a worker thread and the
SQLite copy proceeds in small steps with pauses, so requests keep their response times. A failed
run is logged and retried at the next tick; it never takes the server out of service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import anyio.to_thread

from realtime.backup.config import BackupConfig, config_from_settings
from realtime.backup.errors import BackupError
from realtime.backup.service import list_generations, run_backup, ship

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger(__name__)


class BackupScheduler:
    """Runs backups and shipping on a timer inside the server."""

    name = "backup"

    def __init__(self, config: BackupConfig, *, interval_s: float, ship_s: float) -> None:
        self.config = config
        self.interval_s = interval_s
        self.ship_s = ship_s
        self.last_backup_monotonic: float | None = None
        self.last_error: str = ""
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def ready(self) -> None:
        """Backups failing must not stop the contact center: never raises (see logs/last_error)."""

    def due(self, now: float) -> bool:
        """Whether a full generation is due."""
        return self.last_backup_monotonic is None or now - self.last_backup_monotonic >= (
            self.interval_s
        )

    def tick(self) -> None:
        """One round of work (in a worker thread)."""
        if self.last_backup_monotonic is None:
            generations = [g for g in list_generations(self.config) if g.manifest is not None]
            if generations:
                age = time.time() - generations[-1].manifest.finished_at.timestamp()  # type: ignore[union-attr]
                self.last_backup_monotonic = time.monotonic() - max(0.0, age)
        if self.due(time.monotonic()):
            run_backup(self.config)
            self.last_backup_monotonic = time.monotonic()
        else:
            ship(self.config)
        self.runs += 1

    async def _loop(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(self.tick)
                self.last_error = ""
            except BackupError as exc:
                self.last_error = str(exc)
                log.error("backup failed: %s", exc)
            except Exception as exc:
                self.last_error = repr(exc)
                log.exception("backup failed")
            await asyncio.sleep(self.ship_s)


def build(ctx: AppContext) -> BackupScheduler | None:
    """The scheduler, or None when no backup target or key is configured."""
    settings = ctx.settings
    if settings.backup_target is None or settings.backup_key is None:
        return None
    return BackupScheduler(
        config_from_settings(settings),
        interval_s=settings.backup_interval_minutes * 60.0,
        ship_s=float(settings.backup_ship_seconds),
    )
