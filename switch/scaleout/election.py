"""Who is the switch leader: a PostgreSQL advisory lock held on a dedicated connection.

``pg_try_advisory_lock`` is session-level: the lock lives exactly as long as the connection
that took it. The leader keeps that connection open for its whole life and checks it every
poll; when the process dies (even by SIGKILL) the kernel closes the socket, PostgreSQL ends the
backend and releases the lock, and the next follower's ``pg_try_advisory_lock`` succeeds. TCP
keepalives on the connection make PostgreSQL notice a leader cut off by the network too.

On SQLite there is one process, and it is always the leader (:class:`SoleLeader`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

LOCK_KEY = 0x4D61646F  # "Mado": one lock per database (one ACD per installation)
"""The advisory lock key (bigint); other features must not use it."""


class LeaderLock(Protocol):
    """What the leader gate needs from an election."""

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process now holds it."""

    async def still_held(self) -> bool:
        """False once the lock's connection is gone (the lock is lost with it)."""

    async def release(self) -> None:
        """Give the lock up (close the connection)."""


class SoleLeader:
    """SQLite: one process, always the leader."""

    async def try_acquire(self) -> bool:
        """Always granted."""
        return True

    async def still_held(self) -> bool:
        """Always held."""
        return True

    async def release(self) -> None:
        """Nothing to give up."""


def libpq_url(database_url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://...``) as a libpq connection URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresLeaderLock:
    """``pg_try_advisory_lock(key)`` on a connection of its own, held while leading."""

    def __init__(self, database_url: str, *, key: int = LOCK_KEY, connect_timeout: int = 5):
        self._url = libpq_url(database_url)
        self._key = key
        self._timeout = connect_timeout
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    async def try_acquire(self) -> bool:
        """Connect if needed and try the lock once (never waits for it)."""
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self._url,
                autocommit=True,
                connect_timeout=self._timeout,
                application_name="madoguchi-leader-election",
                keepalives=1,
                keepalives_idle=5,
                keepalives_interval=2,
                keepalives_count=3,
            )
        cursor = await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,))
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def still_held(self) -> bool:
        """The lock's connection still answers (a lost connection means a lost lock)."""
        conn = self._conn
        if conn is None or conn.closed:
            return False
        try:
            await conn.execute("SELECT 1")
        except psycopg.Error:
            log.warning("the leader lock's database connection is gone")
            return False
        return True

    async def release(self) -> None:
        """Close the connection (PostgreSQL releases the lock with it)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()


def lock_for(database_url: str) -> LeaderLock:
    """The election that fits the database: an advisory lock on PostgreSQL, else sole leader."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresLeaderLock(database_url)
    return SoleLeader()
