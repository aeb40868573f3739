"""Contact-log writes that survive a database restart or a full disk (N-REL-1).

The call goes on while the database is away: the call path's events are appended with retries
(``OperationalError`` and ``InterfaceError``: connection lost, server restarting, disk full)
for up to ``RETRY_FOR_S``, raising the ``database`` fault alert on the first failure. Appends
are idempotent by event id, so a commit whose reply was lost is not stored twice on retry.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import InterfaceError, OperationalError

from cms import service as cms
from cms.service import NewEvent
from realtime.monitoring.fault_watch import database_down

if TYPE_CHECKING:
    from realtime.http.context import AppContext

RETRY_FOR_S = 120.0
FIRST_DELAY_S = 0.1
MAX_DELAY_S = 2.0


async def append(ctx: AppContext, events: list[NewEvent]) -> None:
    """Append ``events`` (in order, committed before returning), retrying while the database
    is unavailable; re-raises after ``RETRY_FOR_S``."""

    def write() -> None:
        with ctx.db.session() as session:
            cms.append_many(session, events=events)

    deadline = time.monotonic() + RETRY_FOR_S
    delay = FIRST_DELAY_S
    while True:
        try:
            await ctx.db.run(write)
            return
        except (OperationalError, InterfaceError) as exc:
            database_down(ctx, error=str(exc.orig or exc)[:120])
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(MAX_DELAY_S, delay * 2)
