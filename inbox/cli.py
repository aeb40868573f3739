"""``madoguchi mail ...`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from inbox.parse.errors import MailUnparseable
from inbox.parse.message import DEFAULT_MAX_ATTACHMENT_BYTES, parse_message
from realtime.cliutil import run_group


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``mail`` command group."""
    parser = sub.add_parser("mail", help="受信メールの操作")
    group = parser.add_subparsers(dest="mail_command", required=True)
    parse = group.add_parser("parse", help="メール（.eml）を解析して JSON で表示する")
    parse.add_argument("file", help=".eml ファイルのパス")
    parse.add_argument(
        "--max-attachment-bytes",
        type=int,
        default=DEFAULT_MAX_ATTACHMENT_BYTES,
        help="これより大きい添付ファイルは oversized として扱う（バイト）",
    )
    parse.set_defaults(handler=_parse)


def _parse(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"ファイルを読み込めません: {path} ({exc.strerror})", file=sys.stderr)
        return 2
    try:
        mail = parse_message(raw, max_attachment_bytes=args.max_attachment_bytes)
    except MailUnparseable as exc:
        print(json.dumps(exc.public(), ensure_ascii=False, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(mail.public(), ensure_ascii=False, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``mail`` group on its own (``python -m inbox.cli mail parse FILE``)."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
