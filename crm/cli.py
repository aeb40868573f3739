"""CRM commands: ``madoguchi pii scan`` checks notes for personal data (N-PRIV-1)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from crm.pii.detector import scan
from crm.pii.inventory import render
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
    inventory = commands.add_parser(
        "inventory", help="個人情報の保管場所の一覧（N-PRIV-3）を Markdown で出力する"
    )
    inventory.add_argument("--out", type=Path, help="書き出すファイル（省略時は標準出力）")
    inventory.set_defaults(handler=_inventory)


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


def _inventory(args: argparse.Namespace) -> int:
    text = render()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


def _scan(args: argparse.Namespace) -> int:
    flagged = scan_lines(sys.stdin.buffer, sys.stdout.buffer)
    return 1 if args.fail_on_findings and flagged else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CRM commands on their own (``python -m crm.cli pii scan``)."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
