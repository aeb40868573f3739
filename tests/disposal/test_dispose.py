"""Contract-end disposal (N-DATA-2): everything erased, nothing left, and a written record of
when, by whom and what (個人情報特記事項 第10条 4); refused, touching nothing, when unsafe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from mediastore.store.config import store_from_settings
from realtime.backup.service import list_generations, run_backup
from realtime.db import Database
from realtime.disposal.errors import DisposalRefused
from realtime.disposal.service import dispose
from realtime.disposal.shred import remaining, shred_file
from tests.backup.conftest import KEY, Env, db_state, make_env, write_contacts

REPO = Path(__file__).resolve().parents[2]
SECRET = "test-secret-" + "x" * 40


def _populate(env: Env, *, backup: bool) -> None:
    write_contacts(env.db, 25, tag="end")
    store = store_from_settings(env.settings)
    store.write(file_id="rec-end-1", chunks=[b"RIFF" + os.urandom(40_000)])
    store.write(file_id="mail-end-1", chunks=[b"From: a@example.jp\r\n\r\nbody"])
    if backup:
        run_backup(env.config)
    env.db.dispose()


def _cli(env: Env, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = dict(
        os.environ,
        PYTHONPATH=str(REPO),
        MADOGUCHI_DATA_DIR=str(env.settings.data_dir),
        MADOGUCHI_DATABASE_URL=env.settings.effective_database_url,
        MADOGUCHI_BACKUP_TARGET=str(env.target),
        MADOGUCHI_BACKUP_KEY=KEY,
        MADOGUCHI_SECRET_KEY=SECRET,
    )
    return subprocess.run(
        [sys.executable, "-m", "realtime.cli", "dispose", *args],
        env=environ, cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.req("N-DATA-2", "N-PRIV-3")
def test_dispose_erases_database_media_data_folder_and_backups_and_certifies_it(
    tmp_path: Path,
) -> None:
    env = make_env(tmp_path)
    _populate(env, backup=True)
    assert list_generations(env.config)
    database = Path(env.settings.effective_database_url.removeprefix("sqlite:///"))
    witness = tmp_path / "witness"  # a second name for the database's blocks
    os.link(database, witness)
    out = tmp_path / "certificate.md"
    done = _cli(
        env, tmp_path,
        "--operator", "委託先 山田", "--out", str(out), "--include-backups",
        "--confirm", "ERASE-ALL",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert remaining(env.settings.data_dir) == []
    assert remaining(env.target) == []
    assert not database.exists()
    assert set(witness.read_bytes()) == {0}  # overwritten, not only unlinked
    text = out.read_text(encoding="utf-8")
    assert "- 担当者: 委託先 山田" in text
    assert re.search(r"- 消去日時: 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d（日本時間）", text)
    assert "| contact_event | 25 |" in text
    assert "| audit_entry | 25 |" in text
    assert "消去後に残っているファイル: なし" in text
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["media"]["files"] == 2
    assert record["backups"]["files"] > 0
    assert record["remaining"] == []
    assert record["operator"] == "委託先 山田"
    assert "SHA-256" in done.stdout


@pytest.mark.req("N-DATA-2")
@pytest.mark.postgres
def test_dispose_drops_every_table_of_a_postgresql_database(
    tmp_path: Path, postgres_server: str
) -> None:
    from tests.conftest import _fresh_pg_database

    url = _fresh_pg_database(postgres_server)
    env = make_env(tmp_path, database_url=url)
    _populate(env, backup=False)
    out = tmp_path / "certificate.md"
    certificate = dispose(env.settings, operator="山田", out=out, include_backups=False)
    assert {t.table: t.rows for t in certificate.tables}["contact_event"] == 25
    db = Database(url)
    try:
        assert inspect(db.engine).get_table_names() == []
    finally:
        db.dispose()
    assert remaining(env.settings.data_dir) == []
    assert "全テーブルを削除" in out.read_text(encoding="utf-8")


@pytest.mark.req("N-DATA-2")
def test_dispose_without_the_confirmation_or_while_a_server_runs_touches_nothing(
    tmp_path: Path,
) -> None:
    env = make_env(tmp_path)
    _populate(env, backup=False)
    url = env.settings.effective_database_url
    before = db_state(url)
    files = remaining(env.settings.data_dir)
    out = tmp_path / "certificate.md"
    unconfirmed = _cli(env, tmp_path, "--operator", "山田", "--out", str(out))
    assert unconfirmed.returncode == 2
    assert "--confirm ERASE-ALL" in unconfirmed.stderr
    marker = env.settings.data_dir / f"server-{os.getpid()}-1.running"
    marker.write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
    running = _cli(env, tmp_path, "--operator", "山田", "--out", str(out), "--confirm", "ERASE-ALL")
    assert running.returncode == 1
    assert "disposal-refused" in running.stderr
    marker.unlink()
    refusals = [
        {"operator": " ", "out": out, "include_backups": False},
        {"operator": "山田", "out": env.settings.data_dir / "cert.md", "include_backups": False},
        {"operator": "山田", "out": env.target / "cert.md", "include_backups": True},
        {"operator": "山田", "out": tmp_path / "missing" / "cert.md", "include_backups": False},
    ]
    for kwargs in refusals:
        with pytest.raises(DisposalRefused):
            dispose(env.settings, **kwargs)  # type: ignore[arg-type]
    assert not out.exists()
    assert db_state(url) == before
    assert remaining(env.settings.data_dir) == files


@pytest.mark.req("N-DATA-2")
def test_shredding_overwrites_the_blocks_before_removing_the_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.bin"
    path.write_bytes(b"citizen data " * 100_000)
    other_name = tmp_path / "same-inode"
    os.link(path, other_name)
    assert shred_file(path) == 1_300_000
    assert not path.exists()
    assert set(other_name.read_bytes()) == {0}
    assert shred_file(path) == 0  # already gone: nothing to do
