"""The journal under savepoints and concurrent writers; the commands run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import text

from realtime.backup.service import restore, run_backup
from tests.backup.conftest import KEY, REPO, Env, audit_ok, db_state, write_contacts


@pytest.mark.req("N-REL-2")
def test_a_rolled_back_savepoint_is_not_restored(env: Env, tmp_path: Path) -> None:
    run_backup(env.config)
    with env.db.session() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, v TEXT)"))
    with env.db.session() as session:
        session.execute(text("INSERT INTO note (v) VALUES ('kept')"))
        nested = session.begin_nested()
        session.execute(text("INSERT INTO note (v) VALUES ('undone')"))
        nested.rollback()
        session.execute(text("INSERT INTO note (v) VALUES (:v)"), {"v": "also kept"})
    restore(env.config, to=None, target_dir=tmp_path / "out", local_journal=env.config.journal_dir)
    import sqlite3

    db = sqlite3.connect(tmp_path / "out" / "madoguchi.sqlite3")
    try:
        rows = db.execute("SELECT id, v FROM note ORDER BY id").fetchall()
    finally:
        db.close()
    assert [v for _id, v in rows] == ["kept", "also kept"]
    with env.db.engine.connect() as conn:
        live = conn.execute(text("SELECT id, v FROM note ORDER BY id")).all()
    assert [tuple(r) for r in live] == rows


@pytest.mark.req("N-REL-2")
def test_writers_keep_committing_during_an_online_backup_and_all_is_restored(
    env: Env, tmp_path: Path
) -> None:
    write_contacts(env.db, 200, tag="base")
    started = threading.Event()
    done = threading.Event()
    counts: list[int] = []

    def writer() -> None:
        n = 0
        started.set()
        while not done.is_set():
            write_contacts(env.db, 1, tag=f"during-{n}")
            n += 1
        counts.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()
    try:
        run_backup(env.config)
    finally:
        done.set()
        thread.join()
    assert counts[0] > 0
    live = db_state(env.settings.effective_database_url)
    restore(env.config, to=None, target_dir=tmp_path / "out", local_journal=env.config.journal_dir)
    url = f"sqlite:///{tmp_path / 'out' / 'madoguchi.sqlite3'}"
    assert db_state(url) == live
    assert audit_ok(url)


@pytest.mark.req("N-REL-2")
def test_backup_list_and_restore_commands_run_as_processes(env: Env, tmp_path: Path) -> None:
    write_contacts(env.db, 4, tag="cli")
    live = db_state(env.settings.effective_database_url)
    environ = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        MADOGUCHI_DATA_DIR=str(env.settings.data_dir),
        MADOGUCHI_BACKUP_TARGET=str(env.target),
        MADOGUCHI_BACKUP_KEY=KEY,
        MADOGUCHI_SECRET_KEY="test-secret-" + "x" * 40,
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "realtime.backup_cli", *args],
            env=environ, cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip

    made = run("backup")
    assert made.returncode == 0, made.stderr
    listed = json.loads(run("backup", "list").stdout)["generations"]
    assert [g["generation"] for g in listed] == [json.loads(made.stdout)["generation"]]
    now = datetime.now(UTC).isoformat()
    restored = run("restore", "--to", now, "--target-dir", str(tmp_path / "out"))
    assert restored.returncode == 0, restored.stderr
    assert db_state(f"sqlite:///{tmp_path / 'out' / 'madoguchi.sqlite3'}") == live
    early = run("restore", "--to", "2000-01-01T00:00:00", "--target-dir", str(tmp_path / "x"))
    assert early.returncode == 2
    assert "restore-before-first-backup" in early.stderr
    assert "最初のバックアップ" in early.stderr
