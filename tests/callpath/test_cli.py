"""``madoguchi callpath load-demo|show`` on a migrated database, run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from realtime import migrate

REPO = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switch.callpath.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=60,
    )


@pytest.mark.req("F-1.2.1")
def test_load_demo_then_show_prints_the_menu_tree(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env.update({"PYTHONPATH": str(REPO), "DATABASE_URL": url, "MADOGUCHI_DATA_DIR": str(tmp_path)})
    first = run(["callpath", "load-demo"], env)
    assert first.returncode == 0, first.stderr
    assert "読み込みました" in first.stdout
    again = run(["callpath", "load-demo"], env)
    assert "何もしませんでした" in again.stdout
    shown = run(["callpath", "show"], env)
    assert shown.returncode == 0, shown.stderr
    config = json.loads(shown.stdout)
    main = next(m for m in config["menus"] if m["node_id"] == "main")
    assert sorted(main["choices"]) == ["1", "2", "3", "4", "9"]
    assert {a["username"] for a in config["agents"]} == {"op1", "op2"}
    assert config["emergency"]["active"] is False
