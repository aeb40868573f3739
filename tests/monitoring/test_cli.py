"""``madoguchi monitor`` run for real in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from realtime import migrate

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.req("N-SEC-4", "F-2.4.3")
def test_monitor_commands_print_alerts_and_a_days_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env.update(PYTHONPATH=str(REPO), DATABASE_URL=url, MADOGUCHI_DATA_DIR=str(tmp_path))
    run = [sys.executable, "-m", "realtime.monitoring.cli", "monitor"]
    alerts = subprocess.run([*run, "alerts"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(alerts.stdout) == {"alerts": []}
    kpi = subprocess.run(
        [*run, "kpi", "--date", "2026-11-02"], env=env, capture_output=True, text=True, check=True
    )
    data = json.loads(kpi.stdout)
    assert len(data["half_hours"]) == 48
    assert data["today"]["offered"] == 0
