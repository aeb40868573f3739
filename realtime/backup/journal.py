"""The change journal of a SQLite database: every committed write transaction, in commit order.

SQLite has no point-in-time recovery, so the app records it itself. Hooks on the engine buffer
each write statement and its parameters per connection; just before COMMIT (while the connection
still holds SQLite's single write lock, so records are in commit order across threads and
processes) the hook takes the next transaction id from the ``backup_journal_state`` row, in the
same transaction, and appends one record to the current journal segment with fsync. Restore =
base backup + replay of the records after the backup's transaction id, up to a time.

A record whose COMMIT then fails is cancelled: by an ``abort`` record when the process sees the
error, or, when it dies, by the next transaction, which takes the same id (the counter is in the
database and did not advance) and so supersedes it. Journaling is on while the state row exists;
``enable`` creates it (the first backup does this).
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from realtime.backup.errors import BackupCorrupted, BackupError

STATE_TABLE = "backup_journal_state"
_BUFFER = "mdg_journal_ops"
_PENDING = "mdg_journal_pending"
_WRITE_VERBS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "WITH", "SAVEPOINT",
     "RELEASE", "ROLLBACK"}
)  # fmt: skip
_COMMENT = re.compile(r"^(\s+|--[^\n]*\n|/\*.*?\*/)+", re.DOTALL)


class JournalError(BackupError):
    error_id = "backup-journal-failed"
    message_ja = "変更ジャーナルへの書き込みに失敗しました。"


def segment_name(segment: int) -> str:
    return f"seg-{segment:012d}.jnl"


def _verb(statement: str) -> str:
    text = _COMMENT.sub("", statement, count=1)
    return text.split(None, 1)[0].upper() if text.strip() else ""


def is_write(statement: str) -> bool:
    """Whether a statement may change the database (reads are not journaled)."""
    verb = _verb(statement)
    if verb == "ROLLBACK":  # only ROLLBACK TO a savepoint; a plain rollback ends the transaction
        return "TO" in statement.upper().split()
    return verb in _WRITE_VERBS


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime | date):  # what sqlite3's default adapters bind
        return value.isoformat(" ") if isinstance(value, datetime) else value.isoformat()
    raise JournalError(reason=f"cannot journal a parameter of type {type(value).__name__}")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "$b" in value:
        return base64.b64decode(value["$b"])
    return value


def _encode_params(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: _encode_value(v) for k, v in params.items()}
    return [_encode_value(v) for v in params or ()]


def _decode_params(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: _decode_value(v) for k, v in params.items()}
    return tuple(_decode_value(v) for v in params)


@dataclass(frozen=True)
class Op:
    """One statement of a transaction."""

    sql: str
    params: Any
    many: bool = False


@dataclass
class Record:
    """One committed (or cancelled) transaction."""

    txid: int
    at: datetime | None = None
    ops: list[Op] = field(default_factory=list)
    abort: bool = False


def _line(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return f"{zlib.crc32(body):08x} ".encode("ascii") + body + b"\n"


def append_record(journal_dir: Path, segment: int, payload: dict[str, Any]) -> None:
    """Append one line durably; a torn line left by a killed writer is closed off first."""
    journal_dir.mkdir(parents=True, exist_ok=True)
    path = journal_dir / segment_name(segment)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        data = _line(payload)
        if size and _last_byte(path, size) != b"\n":
            data = b"\n" + data
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dfd = os.open(journal_dir, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def parse_segment(data: bytes) -> list[Record]:
    """The records of one segment; torn or damaged lines (bad checksum) are skipped."""
    records: list[Record] = []
    for raw in data.split(b"\n"):
        if len(raw) < 10 or raw[8:9] != b" ":
            continue
        body = raw[9:]
        try:
            if int(raw[:8], 16) != zlib.crc32(body):
                continue
            item = json.loads(body)
        except ValueError:
            continue
        if item.get("abort"):
            records.append(Record(txid=int(item["t"]), abort=True))
            continue
        ops = [Op(sql=o[0], params=o[1], many=bool(o[2])) for o in item["ops"]]
        at = datetime.fromisoformat(item["at"])
        records.append(Record(txid=int(item["t"]), at=at, ops=ops))
    return records


def committed(segments: Iterable[Sequence[Record]], *, after_txid: int) -> list[Record]:
    """The effective transactions after ``after_txid`` in id order (last record for an id wins).

    Raises when ids are missing (a segment was lost), since replay past a gap would be wrong."""
    latest: dict[int, Record] = {}
    for records in segments:
        for record in records:
            if record.txid > after_txid:
                latest[record.txid] = record
    result: list[Record] = []
    expected = after_txid + 1
    for txid in sorted(latest):
        record = latest[txid]
        if txid != expected:
            raise BackupCorrupted(reason="journal has a gap", missing_txid=expected)
        expected += 1
        if not record.abort:
            result.append(record)
    return result


# --- capture ---------------------------------------------------------------------------------


def attach(engine: Engine) -> None:
    """Journal this SQLite engine's write transactions whenever the database has journaling on."""
    if getattr(engine, "_mdg_journal_attached", False):
        return
    engine._mdg_journal_attached = True  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _before_commit)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "handle_error", _on_error)
    event.listen(engine.pool, "reset", _on_reset)
    event.listen(engine.pool, "checkin", _on_checkin)


def _before_execute(
    conn: Connection,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    conn.info.pop(_PENDING, None)
    if is_write(statement):
        conn.info.setdefault(_BUFFER, []).append((statement, parameters, executemany))


def _forget(conn: Connection) -> None:
    conn.info.pop(_BUFFER, None)


def _on_reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
    _clear(connection_record)


def _on_checkin(dbapi_connection: Any, connection_record: Any) -> None:
    _clear(connection_record)


def _clear(connection_record: Any) -> None:
    if connection_record is not None:
        connection_record.info.pop(_BUFFER, None)
        connection_record.info.pop(_PENDING, None)


def _before_commit(conn: Connection) -> None:
    ops = conn.info.pop(_BUFFER, None)
    if not ops:
        return
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        try:
            cursor.execute(
                f"UPDATE {STATE_TABLE} SET last_txid = last_txid + 1 WHERE id = 1 "  # noqa: S608
                "RETURNING last_txid, segment, journal_dir"
            )
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return  # journaling is off for this database
            raise
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        return
    txid, segment, journal_dir = int(row[0]), int(row[1]), Path(row[2])
    encoded = []
    for statement, params, many in ops:
        if many:
            encoded.append([statement, [_encode_params(p) for p in params], True])
        else:
            encoded.append([statement, _encode_params(params), False])
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    try:
        append_record(journal_dir, segment, {"t": txid, "at": at, "ops": encoded})
    except OSError as exc:
        raise JournalError(journal_dir=str(journal_dir), reason=str(exc)) from exc
    conn.info[_PENDING] = (journal_dir, segment, txid)


def _on_error(context: Any) -> None:
    conn = context.connection
    if conn is None or context.statement is not None:
        return
    pending = conn.info.pop(_PENDING, None)
    if pending is None:
        return
    journal_dir, segment, txid = pending
    append_record(journal_dir, segment, {"t": txid, "abort": True})


# --- state and replay --------------------------------------------------------------------------


def enable(db: sqlite3.Connection, journal_dir: Path) -> None:
    """Create the state row (journaling on) or point it at ``journal_dir``."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "last_txid INTEGER NOT NULL, segment INTEGER NOT NULL, journal_dir TEXT NOT NULL)"
    )
    db.execute(
        f"INSERT INTO {STATE_TABLE} (id, last_txid, segment, journal_dir) "  # noqa: S608
        "VALUES (1, 0, 1, ?) ON CONFLICT (id) DO UPDATE SET journal_dir = excluded.journal_dir",
        (str(journal_dir.resolve()),),
    )


def start_segment(db: sqlite3.Connection) -> int:
    """Move writers to a new segment (call inside a write transaction); returns its number."""
    row = db.execute(
        f"UPDATE {STATE_TABLE} SET segment = segment + 1 WHERE id = 1 RETURNING segment"  # noqa: S608
    ).fetchone()
    return int(row[0])


def read_state(db: sqlite3.Connection) -> tuple[int, int] | None:
    """(last transaction id, segment) of a database, or None when journaling is off."""
    try:
        row = db.execute(f"SELECT last_txid, segment FROM {STATE_TABLE} WHERE id = 1").fetchone()  # noqa: S608
    except sqlite3.OperationalError:
        return None
    return (int(row[0]), int(row[1])) if row else None


def replay(db: sqlite3.Connection, records: Iterable[Record]) -> int:
    """Apply records in order, each in its own transaction; returns how many were applied."""
    count = 0
    for record in records:
        db.execute("BEGIN IMMEDIATE")
        try:
            for op in record.ops:
                if op.many:
                    db.executemany(op.sql, [_decode_params(p) for p in op.params])
                else:
                    db.execute(op.sql, _decode_params(op.params))
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise BackupCorrupted(reason=f"replay failed: {exc}", txid=record.txid) from exc
        count += 1
    return count
