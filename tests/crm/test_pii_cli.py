"""`madoguchi pii scan`: one JSON object per input line (N-PRIV-1)."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crm.cli import register, scan_lines

pytestmark = pytest.mark.req("N-PRIV-1")

REPO = Path(__file__).resolve().parents[2]
RUN_CLI = (
    "import argparse, sys\n"
    "from crm.cli import register\n"
    "parser = argparse.ArgumentParser(prog='madoguchi')\n"
    "register(parser.add_subparsers(dest='command', required=True))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.handler(args))\n"
)


def _run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, "pii", "scan", *args],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PYTHONIOENCODING": "ascii"},
        timeout=60,
        check=False,
    )


def test_register_adds_the_pii_scan_command() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["pii", "scan"])
    assert args.pii_command == "scan"
    assert callable(args.handler)
    assert args.fail_on_findings is False


def test_scan_lines_reports_every_line_with_one_based_numbers() -> None:
    source = io.BytesIO("山田様 090-1234-5678\n住民票は1通300円\n".encode())
    sink = io.BytesIO()
    flagged = scan_lines(source, sink)
    records = [json.loads(line) for line in sink.getvalue().decode("utf-8").splitlines()]
    assert flagged == 1
    assert records == [
        {
            "line": 1,
            "findings": [
                {"type": "name", "start": 0, "end": 2, "text": "山田"},
                {"type": "phone", "start": 4, "end": 17, "text": "090-1234-5678"},
            ],
        },
        {"line": 2, "findings": []},
    ]


def test_cli_subprocess_handles_invalid_utf8_and_crlf() -> None:
    stdin = (
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ\r\n".encode()
        + b"\xff\xfe"
        + "田中さん\n".encode()
        + b"\n"
        + "南池袋2-45-1".encode()
    )
    result = _run(stdin)
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4]
    assert records[0]["findings"] == [
        {"type": "email", "start": 0, "end": 15, "text": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"}
    ]
    assert records[1]["findings"] == [{"type": "name", "start": 2, "end": 4, "text": "田中"}]
    assert records[2]["findings"] == []
    assert records[3]["findings"] == [
        {"type": "address", "start": 0, "end": 9, "text": "南池袋2-45-1"}
    ]


def test_fail_on_findings_sets_the_exit_code() -> None:
    assert _run("住民票の写しは1通300円\n".encode(), "--fail-on-findings").returncode == 0
    assert _run("田中さん\n".encode(), "--fail-on-findings").returncode == 1
