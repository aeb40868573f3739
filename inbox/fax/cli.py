"""``madoguchi fax``: convert a fax TIFF like the server does, scan a file with the hook, and show
the 24-hour clock.

    madoguchi fax convert in.tif --out DIR     # DIR/fax.pdf and DIR/page-1.png ...
    madoguchi fax scan FILE                    # the scanning hook's verdict, JSON
    madoguchi fax clock                        # open / near-due / overdue items, JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from inbox.config import InboxSettings
from inbox.fax.convert import FaxUnreadable, convert_tiff
from inbox.scan.scanner import build_scanner


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``fax`` command group."""
    parser = sub.add_parser("fax", help="FAX・添付ファイル・24時間対応の操作")
    group = parser.add_subparsers(dest="fax_command", required=True)
    convert = group.add_parser("convert", help="FAX の TIFF を PDF とページ画像に変換する")
    convert.add_argument("file", type=Path)
    convert.add_argument("--out", type=Path, required=True, help="出力フォルダ")
    convert.set_defaults(handler=_convert)
    scan = group.add_parser("scan", help="ファイルを検査フックで検査する（JSON）")
    scan.add_argument("file", type=Path)
    scan.set_defaults(handler=_scan)
    clock = group.add_parser("clock", help="対応期限（24時間）の状況を表示する（JSON）")
    clock.set_defaults(handler=_clock)


def _convert(args: argparse.Namespace) -> int:
    try:
        converted = convert_tiff(args.file.read_bytes())
    except FaxUnreadable as exc:
        print(json.dumps({"ok": False, "reason": exc.reason}, ensure_ascii=False))
        return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "fax.pdf").write_bytes(converted.pdf)
    for index, png in enumerate(converted.pngs, start=1):
        (out / f"page-{index}.png").write_bytes(png)
    report = {
        "ok": True,
        "pages": [
            {"width": p.width, "height": p.height, "dpi": list(p.dpi)} for p in converted.pages
        ],
        "pdf": str(out / "fax.pdf"),
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _scan(args: argparse.Namespace) -> int:
    config = InboxSettings()
    scanner = build_scanner(clamd=config.inbox_clamd, max_bytes=config.inbox_scan_max_bytes)
    path: Path = args.file
    result = scanner.scan(data=path.read_bytes(), filename=path.name, content_type="")
    print(
        json.dumps(
            {"clean": result.clean, "reason": result.reason, "scanner": result.scanner},
            ensure_ascii=False,
        )
    )
    return 0 if result.clean else 1


def _clock(args: argparse.Namespace) -> int:
    from inbox.clock.service import clock_status
    from realtime.db import Database
    from realtime.settings import load_settings
    from realtime.timeutil import utcnow

    settings = load_settings()
    minutes = InboxSettings().inbox_near_due_minutes
    db = Database(settings.effective_database_url)
    try:
        with db.session() as session:
            status = clock_status(session, now=utcnow(), near_due=timedelta(minutes=minutes))
    finally:
        db.dispose()
    print(json.dumps(status.to_json(), ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fax`` on its own (``python -m inbox.fax.cli convert …``)."""
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["fax", *(argv if argv is not None else sys.argv[1:])])
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
