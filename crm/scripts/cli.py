"""``madoguchi scripts import FILE`` and ``madoguchi scripts show``: talk scripts (F-2.1.2)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session

from crm.faq.exceptions import CsvImportFailed
from realtime.cliutil import run_group

T = TypeVar("T")
EXIT_INPUT = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scripts`` command group."""
    group = sub.add_parser("scripts", help="トークスクリプト（会話例）の取込みと確認 (F-2.1.2)")
    commands = group.add_subparsers(dest="scripts_command", required=True)
    imp = commands.add_parser(
        "import",
        help="CSV (script_id, work_type, title, steps を「 / 」区切り) を取り込む（ID で上書き）",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--actor", default=None, help="監査ログに記録する実行者（既定: OS ユーザー）")
    imp.set_defaults(handler=_import)
    show = commands.add_parser("show", help="メニューまたは業務に合うスクリプトを表示する")
    show.add_argument("--menu", default=None)
    show.add_argument("--work-type", default=None)
    show.add_argument("--json", action="store_true", help="JSON で出力する")
    show.set_defaults(handler=_show)


def _with_session(fn: Callable[[Session], T]) -> T:
    from realtime.db import Database
    from realtime.settings import load_settings

    db = Database(load_settings(env_file=Path(".env")).effective_database_url)
    try:
        with db.session() as session:
            return fn(session)
    finally:
        db.dispose()


def _import(args: argparse.Namespace) -> int:
    from crm.scripts import service

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"エラー / error: ファイルを読めません: {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_INPUT
    actor = str(args.actor or f"cli:{getpass.getuser()}")
    try:
        result = _with_session(
            lambda s: service.import_csv(s, data=data, actor=actor, source=args.file.name)
        )
    except CsvImportFailed as exc:
        print(f"エラー / error: {args.file}: {exc.message}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.describe()}", file=sys.stderr)
        return EXIT_INPUT
    print(
        f"トークスクリプト: 新規 {result.created} 件、更新 {result.updated} 件、"
        f"変更なし {result.unchanged} 件（文字コード {result.encoding}）"
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    from crm.scripts import service

    if not (args.menu or args.work_type):
        print("エラー / error: --menu か --work-type を指定してください", file=sys.stderr)
        return EXIT_INPUT
    found = _with_session(lambda s: service.script_for(s, menu=args.menu, work_type=args.work_type))
    if found is None:
        print("該当するトークスクリプトはありません。", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found.to_json(), ensure_ascii=False))
        return 0
    print(f"{found.script_id} {found.title}（{found.work_type}）")
    for number, step in enumerate(found.steps, start=1):
        print(f"  {number}. {step}")
    for label, items in (("確認事項", found.confirm_items), ("取次ぎ基準", found.handoff_criteria)):
        for item in items:
            print(f"  [{label}] {item}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the talk-script commands on their own (``python -m crm.scripts.cli scripts ...``)."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
