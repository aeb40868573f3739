"""`madoguchi demo` (what `scripts/start` runs) serves the ward on the FreeSWITCH stand-in with
scripted citizens calling: contacts reach the call path's log without anyone configuring it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.webagent.browsing import REPO
from tests.webagent.conftest import _wait_for_port_file

DEADLINE_S = 60.0


def _received(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as conn:
        try:
            row = conn.execute(
                "SELECT count(*) FROM contact_event WHERE type = 'contact.received'"
            ).fetchone()
        except sqlite3.OperationalError:  # not migrated yet
            return 0
    return int(row[0])


@pytest.mark.req("F-1.2.1", "F-1.3.1")
def test_demo_command_runs_the_stand_in_with_citizens_calling(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MADOGUCHI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    # only the rate is raised (a call a second) so the test does not wait for the demo's 30 an hour
    env.update(
        PYTHONPATH=str(REPO),
        MADOGUCHI_DATA_DIR=str(tmp_path / "data"),
        MADOGUCHI_DEMO_TRAFFIC_PER_HOUR="3600",
        PYTHONUNBUFFERED="1",
    )
    port_file, log_path = tmp_path / "url", tmp_path / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "realtime.cli",
                "demo",
                "--port",
                "0",
                "--port-file",
                str(port_file),
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _wait_for_port_file(proc, port_file, log_path)
        ready = httpx.get(f"{url}/readyz", timeout=10).json()
        assert ready["checks"]["switch"] == "ok"
        assert ready["checks"]["demo-traffic"] == "ok"
        database = tmp_path / "data" / "madoguchi.sqlite3"
        deadline = time.monotonic() + DEADLINE_S
        while _received(database) < 3:
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "no demo calls reached the call path"
            time.sleep(0.2)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
