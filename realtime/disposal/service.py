"""Erase every piece of data the system holds and write the certificate the city asks for.

At the end of the contract the data is the city's (N-DATA-1: ``madoguchi export csv`` first);
then everything is erased and the erasure recorded: when, by whom, what (第10条 4: 日時、担当者名
及びその内容). ``dispose`` refuses (touching nothing) while a server runs on the data folder,
without an operator's name, or when the certificate could not be written; then it counts what
there is, erases the database, the media, the data folder and (when asked) the backups, checks
nothing is left, and returns the certificate.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from mediastore.store.config import media_root
from realtime.backup.config import config_from_settings
from realtime.db import Database
from realtime.disposal.errors import DisposalIncomplete, DisposalRefused
from realtime.disposal.shred import Shredded, remaining, shred_file, shred_tree
from realtime.monitoring.fault_watch import running_servers
from realtime.settings import Settings
from realtime.timeutil import JST, utcnow


@dataclass
class TableCount:
    """Rows one table held before the erasure."""

    table: str
    rows: int


@dataclass
class Certificate:
    """What was erased, when and by whom (the written record for the city)."""

    erased_at: datetime
    operator: str
    host: str
    backend: str
    database: str
    tables: list[TableCount]
    database_bytes: int
    media: Shredded
    data_folder: Shredded
    backups: Shredded | None
    backup_target: str | None
    remaining: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def as_json(self) -> str:
        data = asdict(self)
        data["erased_at"] = self.erased_at.astimezone(JST).isoformat()
        data["rows"] = self.rows
        return json.dumps(data, ensure_ascii=False, indent=2)


RUNNING = "サーバーが動いています。停止してから実行してください。"
NO_TARGET = "バックアップ先（MADOGUCHI_BACKUP_TARGET）が設定されていません。"


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def check(settings: Settings, *, operator: str, out: Path, include_backups: bool) -> None:
    """Raise DisposalRefused when the erasure must not start; touches nothing."""
    if not operator.strip() or len(operator) > 100:
        raise DisposalRefused(reason="担当者名（--operator）を100文字以内で指定してください。")
    pids = running_servers(settings.data_dir) if settings.data_dir.is_dir() else []
    if pids:
        raise DisposalRefused(
            reason="サーバーが動いています。停止してから実行してください。", pids=pids
        )
    guarded = [settings.data_dir]
    if settings.backup_target is not None:
        guarded.append(settings.backup_target)
    if any(_inside(out, folder) for folder in guarded):
        raise DisposalRefused(reason="証明書は消去対象の外（別の媒体）に書き出してください。")
    if out.exists() or out.with_suffix(".json").exists():
        raise DisposalRefused(reason="証明書のファイルが既にあります。別の名前を指定してください。")
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise DisposalRefused(reason="証明書の書き出し先に書き込めません。", out=str(out))
    if include_backups and settings.backup_target is None:
        raise DisposalRefused(
            reason="バックアップ先（MADOGUCHI_BACKUP_TARGET）が設定されていません。"
        )


def count_rows(db: Database) -> list[TableCount]:
    """Every table of the database with its row count."""
    names = sorted(inspect(db.engine).get_table_names())
    with db.engine.connect() as conn:
        return [
            TableCount(name, int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()))  # noqa: S608
            for name in names
        ]


def _drop_tables(db: Database, tables: list[TableCount]) -> None:
    with db.engine.begin() as conn:
        for t in tables:
            conn.execute(text(f'DROP TABLE IF EXISTS "{t.table}" CASCADE'))


def _sqlite_files(url: str) -> list[Path]:
    database = make_url(url).database or ""
    if not database or database == ":memory:":
        return []
    path = Path(database)
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def dispose(settings: Settings, *, operator: str, out: Path, include_backups: bool) -> Certificate:
    """Erase everything (refusing first if it must not start); write and return the certificate."""
    check(settings, operator=operator, out=out, include_backups=include_backups)
    url = settings.effective_database_url
    db = Database(url)
    try:
        tables = count_rows(db)
        backend = db.backend
        if backend != "sqlite":
            _drop_tables(db, tables)
    finally:
        db.dispose()
    database_bytes = 0
    if backend == "sqlite":
        for path in _sqlite_files(url):
            database_bytes += shred_file(path)
    media = shred_tree(media_root(settings))
    config = config_from_settings(settings)
    folder = Shredded()
    for extra in (config.journal_dir, settings.backup_wal_archive_dir):
        if extra is not None and not _inside(extra, settings.data_dir):
            folder.add(shred_tree(extra))
    folder.add(shred_tree(settings.data_dir))
    backups: Shredded | None = None
    target = settings.backup_target
    if include_backups and target is not None:
        backups = shred_tree(target)
    left = [f"data/{p}" for p in remaining(settings.data_dir)]
    if include_backups and target is not None:
        left += [f"backup/{p}" for p in remaining(target)]
    left += [str(p) for p in _sqlite_files(url) if p.exists()] if backend == "sqlite" else []
    certificate = Certificate(
        erased_at=utcnow(),
        operator=operator.strip(),
        host=socket.gethostname(),
        backend=backend,
        database=make_url(url).render_as_string(hide_password=True),
        tables=tables,
        database_bytes=database_bytes,
        media=media,
        data_folder=folder,
        backups=backups,
        backup_target=str(target) if target is not None else None,
        remaining=left,
    )
    out.write_text(render(certificate), encoding="utf-8")
    out.with_suffix(".json").write_text(certificate.as_json(), encoding="utf-8")
    if left:
        raise DisposalIncomplete(remaining=left[:20], certificate=str(out))
    return certificate


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def render(cert: Certificate) -> str:
    """The certificate as Markdown (Japanese: it is handed to the city in writing)."""
    when = cert.erased_at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S")
    method = "ゼロで上書きし、ディスクへ書き込んでから削除"
    db_method = method if cert.backend == "sqlite" else "全テーブルを削除（DROP TABLE）"
    lines = [
        "# データ消去証明書",
        "",
        f"- 消去日時: {when}（日本時間）",
        f"- 担当者: {cert.operator}",
        f"- 対象システム: Madoguchi（ホスト {cert.host}）",
        f"- データベース: {cert.backend}（{cert.database}）",
        "",
        "## 消去した内容",
        "",
        "| 対象 | 件数 | 容量 | 方法 |",
        "|---|---:|---:|---|",
        f"| データベース | {len(cert.tables)} 表・{cert.rows:,} 行 | "
        f"{_mb(cert.database_bytes) if cert.backend == 'sqlite' else '—'} | {db_method} |",
        f"| メディア（録音・メール原本・FAX、暗号化済み） | {cert.media.files:,} ファイル"
        f" | {_mb(cert.media.bytes)} | {method} |",
        f"| データフォルダのその他（ジャーナル・一時ファイル・鍵）"
        f" | {cert.data_folder.files:,} ファイル | {_mb(cert.data_folder.bytes)} | {method} |",
    ]
    if cert.backups is not None:
        lines.append(
            f"| バックアップ（{cert.backup_target}、暗号化済み）"
            f" | {cert.backups.files:,} ファイル | {_mb(cert.backups.bytes)} | {method} |"
        )
    else:
        lines.append("| バックアップ | — | — | 対象外（別途、媒体ごと破棄してください） |")
    lines += [
        "",
        "## 消去後の確認",
        "",
        "消去後に残っているファイル: "
        + ("なし" if not cert.remaining else "、".join(cert.remaining[:50])),
        "",
        "## システムの外で行う作業",
        "",
        "- 設定に残る鍵の破棄: MADOGUCHI_SECRET_KEY、MADOGUCHI_MEDIA_MASTER_KEY(S)、"
        "MADOGUCHI_BACKUP_KEY（鍵がなければ暗号化された複製は読めません）。",
        "- SSD・スナップショット・PostgreSQL のデータ領域は上書きでは消えないため、媒体ごと物理破壊"
        "または暗号化消去を行ってください。",
        "- 電話・FAX 回線の変更、機器の撤去（仕様書 4.1.2）。",
        "",
        "## 表ごとの件数（消去前）",
        "",
        "| 表 | 行数 |",
        "|---|---:|",
    ]
    lines += [f"| {t.table} | {t.rows:,} |" for t in cert.tables]
    return "\n".join(lines) + "\n"
