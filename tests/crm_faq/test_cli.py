"""``madoguchi faq ...`` and ``madoguchi departments ...`` through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from realtime import migrate
from tests.crm_faq.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "crm.knowledge_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.req("F-2.1.3")
def test_cli_imports_and_searches_on_the_database_url(database_url: str, tmp_path: Path) -> None:
    migrate.upgrade(database_url)
    deps = _run(database_url, "departments", "import", str(DATA / "departments_small.csv"))
    imported = _run(database_url, "faq", "import", str(DATA / "faq_small.csv"))
    found = _run(database_url, "faq", "search", "こくほ", "--limit", "3", "--json")
    assert deps.returncode == 0, deps.stderr
    assert imported.returncode == 0, imported.stderr
    assert "新規 16 件" in imported.stdout
    assert "X08" in imported.stderr
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert rows[0]["faq_id"] == "T007"
    assert set(rows[0]) == {"faq_id", "question", "score"}
    assert len(rows) <= 3
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    exported = tmp_path / "out.csv"
    assert _run(database_url, "faq", "export", "--out", str(exported)).returncode == 0
    assert exported.read_text(encoding="utf-8").splitlines()[1].startswith("T001,")


@pytest.mark.req("F-2.1.3")
def test_cli_reports_bad_rows_and_exits_nonzero(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        "faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff\n"
        "Q1,c,c,,answer,D01,k,no\nQ2,c,c,q,a,D01,k,perhaps\n".encode("cp932")
    )
    result = _run(url, "faq", "import", str(bad))
    missing = _run(url, "faq", "import", str(tmp_path / "absent.csv"))
    empty = _run(url, "faq", "search", "😀" * 2000, "--json")
    assert result.returncode == 2
    assert "2行目 (Q1) [question]" in result.stderr
    assert "3行目 (Q2) [needs_handoff]" in result.stderr
    assert missing.returncode == 2
    assert "absent.csv" in missing.stderr
    assert (empty.returncode, json.loads(empty.stdout)) == (0, [])
