"""Contact-log writes that survive a database restart or a full disk (N-REL-1).

The call goes on while the database is away: the call path's events are appended with retries
(``OperationalError`` and ``InterfaceError``: connection lost, server restarting, disk full)
for up to ``RETRY_FOR_S``, raising the ``database`` fault alert (``disk_write`` for SQLite's
"database or disk is full", cleared by the first write that goes through). Appends
are idempotent by event id, so a commit whose reply was lost is not stored twice on retry.
A call arriving while the database is away is routed by the last configuration read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from cms import service as cms
from cms.service import NewEvent
from realtime.monitoring import incidents
from realtime.monitoring.fault_watch import database_down, disk_full, disk_write_failed

if TYPE_CHECKING:
    from realtime.http.context import AppContext

T = TypeVar("T")

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
    full = False
    while True:
        try:
            await ctx.db.run(write)
        except (OperationalError, InterfaceError) as exc:
            error = str(exc.orig or exc)[:120]
            full = full or disk_full(error)
            if full:
                disk_write_failed(ctx, folder="data", error=error)
            else:
                database_down(ctx, error=error)
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(MAX_DELAY_S, delay * 2)
            continue
        if full:
            incidents.of(ctx).clear(kind="disk_write", subject="data")
        return


async def read_config(ctx: AppContext, read: Callable[[], T], last: T | None) -> T:
    """The configuration as stored now or, while the database is unavailable, the last one
    read (a call arriving during an outage is still answered, routed and logged later)."""
    try:
        return await ctx.db.run(read)
    except (OperationalError, InterfaceError) as exc:
        if last is None:
            raise
        database_down(ctx, error=str(exc.orig or exc)[:120])
        return last
