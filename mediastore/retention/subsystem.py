"""The retention job as a background part: runs once at start-up, then every interval (daily)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import anyio.to_thread

from inbox.retention import InboxErasure, run_inbox_retention
from mediastore.retention.service import RetentionReport, run_retention
from mediastore.store.config import store_from_settings
from mediastore.store.store import MediaStore
from realtime.db import Database

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger(__name__)

FIRST_DELAY_S = 300.0  # let start-up (sweeps, migrations, the switch) settle first


class RetentionScheduler:
    """Erases recordings, then mail and fax, past their retention; failures logged, retried."""

    name = "retention"

    def __init__(
        self,
        *,
        database: Database,
        store: Callable[[], MediaStore],
        default_days: int,
        interval_s: float,
        first_delay_s: float = FIRST_DELAY_S,
        inbox_days: int | None = None,
    ) -> None:
        self.database = database
        self.inbox_days = inbox_days
        self.last_inbox: InboxErasure | None = None
        self.store = store
        self.first_delay_s = min(first_delay_s, interval_s)
        self.default_days = default_days
        self.interval_s = interval_s
        self.last: RetentionReport | None = None
        self.last_error = ""
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def ready(self) -> None:
        """Never takes the server out of service (see logs and last_error)."""

    def run_now(self) -> RetentionReport:
        """One run of the job (in the calling thread): recordings, then mail and fax."""
        store = self.store()
        self.last = run_retention(
            database=self.database, store=store, default_days=self.default_days
        )
        if self.inbox_days is not None:
            self.last_inbox = run_inbox_retention(
                database=self.database, store=store, days=self.inbox_days
            )
        return self.last

    async def _loop(self) -> None:
        await asyncio.sleep(self.first_delay_s)
        while True:
            try:
                report = await anyio.to_thread.run_sync(self.run_now)
                self.last_error = ""
                if report.erased or report.orphans:
                    log.info(
                        "retention erased %d recordings, %d orphans",
                        len(report.erased),
                        len(report.orphans),
                    )
            except Exception as exc:
                self.last_error = repr(exc)
                log.exception("retention job failed")
            await asyncio.sleep(self.interval_s)


def build(ctx: AppContext) -> RetentionScheduler | None:
    """The scheduler wherever media master keys are configured (always in production, which
    refuses to start without them); development on the throw-away key runs the job by command."""
    settings = ctx.settings
    if settings.media_master_key is None and settings.media_master_keys is None:
        return None
    return RetentionScheduler(
        database=ctx.db,
        store=lambda: store_from_settings(settings),
        default_days=settings.recording_retention_days,
        interval_s=settings.recording_retention_interval_hours * 3600.0,
        inbox_days=settings.inbox_retention_days,
    )
