"""CRM commands: ``madoguchi pii scan`` checks notes for personal data (N-PRIV-1)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import BinaryIO

from crm.pii.detector import scan
from realtime.cliutil import run_group


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``pii`` command group."""
    pii = sub.add_parser("pii", help="個人情報（氏名・電話番号・メール・住所）の検出")
    commands = pii.add_subparsers(dest="pii_command", required=True)
    scan_parser = commands.add_parser(
        "scan",
        help="標準入力の各行（UTF-8）を検査し、行ごとに JSON を1行出力する",
    )
    scan_parser.add_argument(
        "--fail-on-findings",
        action="store_true",
        help="個人情報が1件でも見つかったら終了コード1を返す",
    )
    scan_parser.set_defaults(handler=_scan)


def scan_lines(source: BinaryIO, sink: BinaryIO) -> int:
    """Write one JSON object per input line; returns how many lines had findings."""
    flagged = 0
    for number, raw in enumerate(source, start=1):
        line = raw.decode("utf-8", errors="replace").rstrip("\n").rstrip("\r")
        if number == 1:
            line = line.removeprefix("\ufeff")
        findings = scan(line)
        flagged += bool(findings)
        record = {"line": number, "findings": [f.as_dict() for f in findings]}
        sink.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        sink.flush()
    return flagged


def _scan(args: argparse.Namespace) -> int:
    flagged = scan_lines(sys.stdin.buffer, sys.stdout.buffer)
    return 1 if args.fail_on_findings and flagged else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CRM commands on their own (``python -m crm.cli pii scan``)."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
