"""Take the database's write lock before reading what a change depends on.

SQLite (WAL) cannot turn a read transaction into a write one after another writer committed
(SQLITE_BUSY_SNAPSHOT), so a change that reads then writes starts with a write that touches
nothing: from then on writers queue up (busy timeout) instead of failing. PostgreSQL needs no
such step: the conditional UPDATEs re-check their rows after waiting for the other writer.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def begin_write(session: Session, *, table: str) -> None:
    """On SQLite, hold the write lock from here to the commit; elsewhere nothing."""
    if session.get_bind().dialect.name != "sqlite":
        return
    if not table.isidentifier():
        raise ValueError("table must be an identifier")
    session.execute(text(f"UPDATE {table} SET version = version WHERE 0 = 1"))  # noqa: S608
