"""Export every table to CSV and import such an export into an empty database (N-DATA-1).

One file per table, ``<table>.csv``, UTF-8 with a BOM (Excel opens it as UTF-8), a header row of
column names, rows in primary-key order, values as cms.export.codec writes them. Rows stream in
batches (bounded memory). Sensitive columns are exported as stored: password hashes, encrypted
second-factor seeds; nothing is decrypted. ``manifest.csv`` lists each table and its row count.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from cms.export.codec import decode, encode, kind_of
from realtime.errors import MadoguchiError

ENCODING = "utf-8-sig"
MANIFEST = "manifest.csv"
BATCH = 2000


class ImportTargetNotEmpty(MadoguchiError):
    """The database to import into already holds data."""

    error_id = "import-target-not-empty"
    status_code = 409
    message_ja = (
        "取り込み先のデータベースが空ではありません。新しいデータベースに取り込んでください。"
    )

    def __init__(self, *, table: str, rows: int) -> None:
        super().__init__(table=table, rows=rows)
        self.table = table
        self.rows = rows


class ImportFileInvalid(MadoguchiError):
    """A CSV file does not match the table it is for."""

    error_id = "import-file-invalid"
    status_code = 422
    message_ja = "取り込むCSVファイルの形式が正しくありません。"

    def __init__(self, *, file: str, line: int, reason: str) -> None:
        super().__init__(file=file, line=line, reason=reason)
        self.file = file
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class TableCount:
    """Rows written or read for one table."""

    table: str
    rows: int


def tables(metadata_tables: Sequence[Table]) -> list[Table]:
    """Tables in dependency order (a table after those it refers to)."""
    return list(metadata_tables)


def _order(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)


def _stream(conn: Connection, table: Table) -> Iterator[Sequence[Any]]:
    result = conn.execution_options(yield_per=BATCH).execute(
        select(*table.columns).order_by(*_order(table))
    )
    for partition in result.partitions():
        yield from partition


def export_csv(engine: Engine, *, out: Path, tables_in_order: Sequence[Table]) -> list[TableCount]:
    """Write every table to ``out/<table>.csv`` and ``out/manifest.csv``; returns the counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts: list[TableCount] = []
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one consistent snapshot of every table
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        for table in tables_in_order:
            kinds = [kind_of(c) for c in table.columns]
            path = out / f"{table.name}.csv"
            tmp = path.with_name(path.name + ".part")
            n = 0
            with tmp.open("w", encoding=ENCODING, newline="") as fh:
                writer = csv.writer(fh, lineterminator="\r\n")
                writer.writerow([c.name for c in table.columns])
                for row in _stream(conn, table):
                    writer.writerow([encode(k, v) for k, v in zip(kinds, row, strict=True)])
                    n += 1
            tmp.replace(path)
            counts.append(TableCount(table.name, n))
    with (out / MANIFEST).open("w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(["table", "rows"])
        for c in counts:
            writer.writerow([c.table, c.rows])
    return counts


def _rows(path: Path, table: Table) -> Iterator[dict[str, Any]]:
    csv.field_size_limit(sys.maxsize)
    kinds = {c.name: kind_of(c) for c in table.columns}
    with path.open("r", encoding=ENCODING, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or sorted(header) != sorted(kinds):
            raise ImportFileInvalid(file=path.name, line=1, reason=f"columns {header}")
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(header):
                raise ImportFileInvalid(file=path.name, line=line, reason="field count")
            try:
                yield {name: decode(kinds[name], v) for name, v in zip(header, fields, strict=True)}
            except ValueError as exc:
                raise ImportFileInvalid(file=path.name, line=line, reason=str(exc)) from exc


def _clear_seed(conn: Connection, table: Table, path: Path) -> None:
    """Allow a single seeded row (e.g. audit_head id 1) that the export replaces."""
    existing = int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
    if existing == 0:
        return
    pk = list(table.primary_key.columns)
    if existing > 1 or not pk:
        raise ImportTargetNotEmpty(table=table.name, rows=existing)
    seeded = tuple(conn.execute(select(*pk)).one())
    names = [c.name for c in pk]
    if not any(tuple(r[n] for n in names) == seeded for r in _rows(path, table)):
        raise ImportTargetNotEmpty(table=table.name, rows=existing)
    conn.execute(table.delete())


def _reset_sequences(conn: Connection, table: Table) -> None:
    if conn.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if kind_of(column) != "integer":
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if seq:
            top = conn.execute(select(func.max(column))).scalar() or 0
            conn.execute(text("SELECT setval(:s, :v, false)"), {"s": seq, "v": int(top) + 1})


def import_csv(engine: Engine, *, src: Path, tables_in_order: Sequence[Table]) -> list[TableCount]:
    """Load an export into an empty (migrated) database in one transaction; returns the counts."""
    counts: list[TableCount] = []
    with engine.begin() as conn:
        for table in tables_in_order:
            path = src / f"{table.name}.csv"
            if not path.exists():
                raise ImportFileInvalid(file=path.name, line=0, reason="missing file")
            _clear_seed(conn, table, path)
            n = 0
            batch: list[dict[str, Any]] = []
            for row in _rows(path, table):
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute(insert(table), batch)
                    n += len(batch)
                    batch = []
            if batch:
                conn.execute(insert(table), batch)
                n += len(batch)
            _reset_sequences(conn, table)
            counts.append(TableCount(table.name, n))
    return counts
