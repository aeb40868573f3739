"""Commands ``madoguchi backup`` (now), ``backup list``, ``backup ship`` and ``restore``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from realtime.backup.config import BackupConfig, config_from_settings
from realtime.backup.errors import BackupError
from realtime.backup.service import list_generations, restore, run_backup, ship
from realtime.errors import MadoguchiError
from realtime.settings import load_settings
from realtime.timeutil import JST


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``backup`` and ``restore`` commands."""
    backup = sub.add_parser(
        "backup", help="バックアップを今すぐ取得する（世代管理・暗号化・別媒体へ複製）"
    )
    backup.add_argument("--target", type=Path, default=None, help="バックアップ先（既定: 設定値）")
    backup.set_defaults(handler=_backup)
    commands = backup.add_subparsers(dest="backup_command")
    listing = commands.add_parser("list", help="バックアップ先にある世代の一覧")
    listing.add_argument("--target", type=Path, default=None, help="バックアップ先")
    listing.set_defaults(handler=_list)
    shipping = commands.add_parser("ship", help="ジャーナル・WAL・メディアだけを複製する")
    shipping.add_argument("--target", type=Path, default=None, help="バックアップ先")
    shipping.set_defaults(handler=_ship)

    rest = sub.add_parser("restore", help="指定時刻の状態を新しいフォルダに復元する")
    rest.add_argument(
        "--to",
        required=True,
        metavar="TIMESTAMP",
        help="復元する時刻（ISO 8601。タイムゾーン省略時は日本時間）、または latest",
    )
    rest.add_argument(
        "--target-dir", type=Path, required=True, help="復元先の新しいフォルダ（空であること）"
    )
    rest.add_argument("--target", type=Path, default=None, help="バックアップ先（既定: 設定値）")
    rest.add_argument(
        "--journal",
        type=Path,
        default=None,
        help="手元に残ったジャーナルのフォルダ（既定: 設定値。障害直前まで戻すのに使う）",
    )
    rest.set_defaults(handler=_restore)


def parse_time(text: str) -> datetime | None:
    """ISO 8601; a time without a zone is Japan time; ``latest`` means everything there is."""
    if text.strip().lower() == "latest":
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise BackupError(
            "時刻の形式が正しくありません（例: 2026-11-27T09:30:00+09:00）。", value=text
        ) from exc
    return value.replace(tzinfo=JST) if value.tzinfo is None else value


def _config(args: argparse.Namespace) -> BackupConfig:
    settings = load_settings(env_file=Path(".env"))
    target: Path | None = args.target
    return config_from_settings(settings, target=target)


def _emit(report: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(exc: MadoguchiError) -> int:
    sys.stderr.write(f"{exc.message} ({exc})\n")
    return 2


def _backup(args: argparse.Namespace) -> int:
    try:
        report = run_backup(_config(args))
    except MadoguchiError as exc:
        return _fail(exc)
    _emit(
        {
            "generation": report.generation,
            "backend": report.backend,
            "seconds": round(report.seconds, 3),
            "bytes": report.bytes_stored,
            "media_copied": report.media_copied,
            "pruned": report.pruned,
        }
    )
    return 0


def _ship(args: argparse.Namespace) -> int:
    try:
        report = ship(_config(args))
    except MadoguchiError as exc:
        return _fail(exc)
    _emit(
        {
            "journal_segments": report.journal_segments,
            "wal_files": report.wal_files,
            "media_copied": report.media_copied,
        }
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        generations = list_generations(_config(args))
    except MadoguchiError as exc:
        return _fail(exc)
    rows: list[dict[str, object]] = []
    for info in generations:
        if info.manifest is None:
            rows.append({"generation": info.generation, "error": info.error})
            continue
        m = info.manifest
        rows.append(
            {
                "generation": m.generation,
                "backend": m.backend,
                "restorable_from": m.snapshot_at.astimezone(JST).isoformat(),
                "bytes": sum(o.size for o in m.objects),
                "media_files": len(m.media),
            }
        )
    _emit({"generations": rows})
    return 0


def _restore(args: argparse.Namespace) -> int:
    try:
        config = _config(args)
        journal_dir: Path | None = args.journal or config.journal_dir
        report = restore(
            config, to=parse_time(args.to), target_dir=args.target_dir, local_journal=journal_dir
        )
    except MadoguchiError as exc:
        return _fail(exc)
    _emit(
        {
            "generation": report.generation,
            "backend": report.backend,
            "target_dir": str(report.target_dir),
            "restored_to": report.restored_to,
            "transactions_replayed": report.transactions_replayed,
            "last_commit_at": report.last_commit_at,
            "media_files": report.media_files,
            "seconds": round(report.seconds, 3),
            "notes": report.notes,
        }
    )
    return 0


if __name__ == "__main__":
    from realtime.cliutil import run_group

    sys.exit(run_group(register))
