"""`madoguchi demo` (what `scripts/start` runs) serves the ward on the FreeSWITCH stand-in with
scripted citizens calling: contacts reach the call path's log without anyone configuring it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.webagent.conftest import running_demo

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
    # only the rate is raised (a call a second), so the test need not wait for 30 an hour
    with running_demo(tmp_path, MADOGUCHI_DEMO_TRAFFIC_PER_HOUR="3600") as (server, proc):
        ready = httpx.get(f"{server.url}/readyz", timeout=10).json()
        assert ready["checks"]["switch"] == "ok"
        assert ready["checks"]["demo-traffic"] == "ok"
        database = server.data_dir / "madoguchi.sqlite3"
        deadline = time.monotonic() + DEADLINE_S
        while _received(database) < 3:
            assert proc.poll() is None, server.log_path.read_text()
            assert time.monotonic() < deadline, "no demo calls reached the call path"
            time.sleep(0.2)
