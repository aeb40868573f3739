"""``madoguchi media retention run|policies|disposals`` (added to the ``media`` group)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from inbox.retention import run_inbox_retention
from mediastore.retention.service import disposals, list_policies, run_retention
from mediastore.store.config import store_from_settings
from realtime.db import Database
from realtime.errors import MadoguchiError
from realtime.settings import load_settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``retention`` under an existing ``media`` command group."""
    retention = commands.add_parser("retention", help="録音の保存期間（期限切れの削除・記録）")
    sub = retention.add_subparsers(dest="retention_command", required=True)
    run = sub.add_parser(
        "run", help="保存期間を過ぎた録音・メール・FAXを今すぐ削除し、削除記録を残す"
    )
    run.add_argument(
        "--root", type=Path, default=None, help="メディアフォルダ（既定: DATA_DIR/media）"
    )
    run.set_defaults(handler=_run)
    policies = sub.add_parser("policies", help="保存期間の設定を表示する")
    policies.set_defaults(handler=_policies)
    log = sub.add_parser("disposals", help="削除記録（何を・いつ・どの規則で）を表示する")
    log.add_argument("--limit", type=int, default=200)
    log.set_defaults(handler=_disposals)


def _emit(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(env_file=Path(".env"))
    database = Database(settings.effective_database_url)
    try:
        store = store_from_settings(settings, root=args.root)
        report = run_retention(
            database=database, store=store, default_days=settings.recording_retention_days
        )
        inbox = run_inbox_retention(
            database=database, store=store, days=settings.inbox_retention_days
        )
    except MadoguchiError as exc:
        sys.stderr.write(f"{exc.message} ({exc.error_id}: {exc})\n")
        return 2
    finally:
        database.dispose()
    _emit({**report.as_dict(), "inbox": asdict(inbox)})
    return 1 if report.failed else 0


def _policies(args: argparse.Namespace) -> int:
    settings = load_settings(env_file=Path(".env"))
    database = Database(settings.effective_database_url)
    try:
        with database.session() as session:
            _emit(
                {
                    "default_days": settings.recording_retention_days,
                    "policies": list_policies(session),
                }
            )
    finally:
        database.dispose()
    return 0


def _disposals(args: argparse.Namespace) -> int:
    settings = load_settings(env_file=Path(".env"))
    database = Database(settings.effective_database_url)
    try:
        with database.session() as session:
            _emit(disposals(session, limit=args.limit))
    finally:
        database.dispose()
    return 0
