"""``madoguchi callpath show|load-demo``: the call-path configuration from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from realtime.cliutil import run_group
from realtime.db import Database
from realtime.settings import load_settings
from switch.callpath import service
from switch.callpath.demo import load_demo


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``callpath`` group."""
    parser = sub.add_parser("callpath", help="着信経路（回線・IVR・待ち行列・スキル・緊急モード）")
    group = parser.add_subparsers(dest="callpath_command", required=True)
    show = group.add_parser("show", help="現在の設定をJSONで表示する")
    show.set_defaults(handler=_show)
    demo = group.add_parser("load-demo", help="空の設定にデモ用の設定を入れる")
    demo.set_defaults(handler=_load_demo)


def _database() -> Database:
    return Database(load_settings().effective_database_url)


def _show(_args: argparse.Namespace) -> int:
    db = _database()
    try:
        with db.session() as session:
            data = service.config_json(session)
    finally:
        db.dispose()
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return 0


def _load_demo(_args: argparse.Namespace) -> int:
    db = _database()
    try:
        with db.session() as session:
            loaded = load_demo(session)
    finally:
        db.dispose()
    sys.stdout.write(
        "デモ設定を読み込みました。\n" if loaded else "設定が既にあるため何もしませんでした。\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(run_group(register))
