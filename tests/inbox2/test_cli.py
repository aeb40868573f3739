"""``madoguchi fax``: convert and scan run for real in a subprocess."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inbox.fax.cli import register
from switch.standin.media import write_fax_tiff

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "inbox.fax.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


@pytest.mark.req("F-1.5.1", "N-SEC-5")
def test_fax_convert_and_scan_commands(tmp_path):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    assert parser.parse_args(["fax", "scan", "x"]).fax_command == "scan"
    tiff = tmp_path / "in.tif"
    write_fax_tiff(tiff, pages=2)
    done = _run("convert", str(tiff), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [p["dpi"] for p in report["pages"]] == [[204.0, 98.0], [204.0, 98.0]]
    assert (tmp_path / "out" / "page-2.png").exists()
    broken = tmp_path / "broken.tif"
    broken.write_bytes(tiff.read_bytes()[:300])
    refused = _run("convert", str(broken), "--out", str(tmp_path / "out2"))
    assert refused.returncode == 2
    assert "壊れて" in json.loads(refused.stdout)["reason"]
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ" + b"\x00" * 10)
    scanned = _run("scan", str(program))
    assert scanned.returncode == 1
    assert json.loads(scanned.stdout)["clean"] is False
