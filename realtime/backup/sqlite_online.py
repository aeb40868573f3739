"""An online copy of a live SQLite database that does not block its writers.

The copy runs inside one read transaction on the source (WAL: readers never block writers, and
the snapshot stays fixed, so the stepped copy never restarts), a bounded number of pages per step
with a pause between steps so the copy's I/O leaves room for the app. Before the snapshot, one
short write transaction turns the change journal on and starts a new journal segment; the
snapshot records the last journaled transaction id, where replay will continue.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from realtime.backup import journal
from realtime.backup.errors import BackupCorrupted


@dataclass(frozen=True)
class Snapshot:
    """What one online copy captured."""

    path: Path
    snapshot_at: datetime
    last_txid: int
    segment: int
    pages: int


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.execute("PRAGMA busy_timeout=30000")
    return db


def online_copy(
    source: Path, dest: Path, *, journal_dir: Path, step_pages: int, pause_seconds: float
) -> Snapshot:
    """Copy ``source`` to ``dest`` page by page while the app keeps writing."""
    src = _connect(source)
    try:
        src.execute("BEGIN IMMEDIATE")
        try:
            journal.enable(src, journal_dir)
            segment = journal.start_segment(src)
            src.execute("COMMIT")
        except BaseException:
            src.execute("ROLLBACK")
            raise
        src.execute("BEGIN")
        try:
            state = journal.read_state(src)  # first read: the snapshot is fixed from here
            snapshot_at = datetime.now(UTC)
            assert state is not None
            pages = int(src.execute("PRAGMA page_count").fetchone()[0])
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst, pages=max(1, step_pages), sleep=pause_seconds)
            finally:
                dst.close()
        finally:
            src.execute("COMMIT")
    finally:
        src.close()
    check_integrity(dest)
    return Snapshot(dest, snapshot_at, state[0], segment, pages)


def check_integrity(path: Path) -> None:
    """Raise BackupCorrupted when SQLite's own check fails."""
    db = sqlite3.connect(path)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupCorrupted(object=str(path.name), reason=str(exc)) from exc
    finally:
        db.close()
    if result != "ok":
        raise BackupCorrupted(object=str(path.name), reason=str(result))
