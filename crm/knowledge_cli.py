"""``madoguchi faq ...`` and ``madoguchi departments ...`` on the database named by DATABASE_URL."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session

from crm.faq.exceptions import CsvImportFailed

T = TypeVar("T")
EXIT_INPUT = 2
MAX_WARNINGS_SHOWN = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``faq`` and ``departments`` command groups."""
    faq = sub.add_parser("faq", help="FAQ knowledge: import, search, export (F-2.1.3)")
    g = faq.add_subparsers(dest="faq_command", required=True)
    imp = g.add_parser("import", help="import (upsert by faq_id) a FAQ CSV, UTF-8 or Shift_JIS")
    imp.add_argument("file", type=Path)
    imp.add_argument("--actor", default=None, help="who imports (audit log; default: OS user)")
    imp.set_defaults(handler=_faq_import)
    se = g.add_parser("search", help="search the FAQ, best first")
    se.add_argument("query")
    se.add_argument("--limit", type=int, default=10, help="how many results (1-100, default 10)")
    se.add_argument(
        "--json", action="store_true", help='JSON list of {"faq_id","question","score"}'
    )
    se.set_defaults(handler=_faq_search)
    ex = g.add_parser("export", help="export every entry as CSV (the import format)")
    ex.add_argument("--out", type=Path, help="file to write (default: standard output)")
    ex.set_defaults(handler=_faq_export)
    top = g.add_parser("top", help="the most referenced entries (F-2.1.6)")
    top.add_argument("--limit", type=int, default=10)
    top.set_defaults(handler=_faq_top)

    dep = sub.add_parser("departments", help="departments directory: 部/課/係 and extensions")
    d = dep.add_subparsers(dest="departments_command", required=True)
    dimp = d.add_parser("import", help="import (upsert by dept_id) a departments CSV")
    dimp.add_argument("file", type=Path)
    dimp.add_argument("--actor", default=None)
    dimp.set_defaults(handler=_departments_import)
    dls = d.add_parser("list", help="list every department")
    dls.set_defaults(handler=_departments_list)


def _with_session(fn: Callable[[Session], T]) -> T:
    from realtime.db import Database
    from realtime.settings import load_settings

    db = Database(load_settings(env_file=Path(".env")).effective_database_url)
    try:
        with db.session() as session:
            return fn(session)
    finally:
        db.dispose()


def _actor(args: argparse.Namespace) -> str:
    return str(args.actor or f"cli:{getpass.getuser()}")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        print(f"エラー / error: ファイルを読めません: {path}: {exc.strerror}", file=sys.stderr)
        return None


def _refused(exc: CsvImportFailed, path: Path) -> int:
    print(f"エラー / error: {path}: {exc.message}", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem.describe()}", file=sys.stderr)
    return EXIT_INPUT


def _faq_import(args: argparse.Namespace) -> int:
    from crm.faq import service

    data = _read(args.file)
    if data is None:
        return EXIT_INPUT
    try:
        result = _with_session(
            lambda s: service.import_csv(s, data=data, actor=_actor(args), source=args.file.name)
        )
    except CsvImportFailed as exc:
        return _refused(exc, args.file)
    for w in result.warnings[:MAX_WARNINGS_SHOWN]:
        print(f"警告 / warning: {w.line}行目 ({w.faq_id}): {w.message_ja}", file=sys.stderr)
    if len(result.warnings) > MAX_WARNINGS_SHOWN:
        rest = len(result.warnings) - MAX_WARNINGS_SHOWN
        print(f"警告 / warning: ほか {rest} 件", file=sys.stderr)
    print(
        f"FAQ: 新規 {result.created} 件、更新 {result.updated} 件、変更なし {result.unchanged} 件"
        f"（文字コード {result.encoding}、警告 {len(result.warnings)} 件）"
    )
    return 0


def _faq_search(args: argparse.Namespace) -> int:
    from crm.faq import service

    if not 1 <= args.limit <= service.MAX_LIMIT:
        print(
            f"エラー / error: --limit は 1〜{service.MAX_LIMIT} で指定してください", file=sys.stderr
        )
        return EXIT_INPUT
    results = _with_session(lambda s: service.search(s, query=args.query, limit=args.limit))
    if args.json:
        rows = [{"faq_id": r.faq_id, "question": r.question, "score": r.score} for r in results]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not results:
        print("該当するFAQはありません。")
    for r in results:
        print(f"{r.faq_id}\t{r.score:.3f}\t{r.question}")
    return 0


def _faq_export(args: argparse.Namespace) -> int:
    from crm.faq import service

    text = _with_session(lambda s: service.export_csv(s))
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8", newline="")
    return 0


def _faq_top(args: argparse.Namespace) -> int:
    from crm.faq import service

    rows = _with_session(lambda s: service.most_referenced(s, limit=args.limit))
    for r in rows:
        print(f"{r.faq_id}\t閲覧 {r.opened}\t引用 {r.cited}\t{r.question}")
    return 0


def _departments_import(args: argparse.Namespace) -> int:
    from crm.departments import service

    data = _read(args.file)
    if data is None:
        return EXIT_INPUT
    try:
        result = _with_session(
            lambda s: service.import_csv(s, data=data, actor=_actor(args), source=args.file.name)
        )
    except CsvImportFailed as exc:
        return _refused(exc, args.file)
    print(
        f"部署: 新規 {result.created} 件、更新 {result.updated} 件、変更なし {result.unchanged} 件"
        f"（文字コード {result.encoding}）"
    )
    return 0


def _departments_list(_args: argparse.Namespace) -> int:
    from crm.departments import service

    for d in _with_session(service.list_all):
        print(f"{d.dept_id}\t{d.extension}\t{d.display_name}\t{d.handles}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args()
    sys.exit(parsed.handler(parsed))
