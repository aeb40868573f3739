"""The restore drill: write, back up, write, note T, write, crash a writer, restore to T."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from realtime.backup.service import restore, run_backup, ship
from tests.backup.conftest import (
    ArchivingPostgres,
    audit_ok,
    db_state,
    killed_writer,
    make_env,
    start_restored,
    write_contacts,
)
from tests.conftest import _fresh_pg_database


@pytest.mark.req("N-REL-2")
def test_sqlite_restore_to_a_time_matches_the_state_then_after_a_killed_writer(
    tmp_path: Path,
) -> None:
    env = make_env(tmp_path)
    url = env.settings.effective_database_url
    write_contacts(env.db, 40, tag="before-backup")
    run_backup(env.config)
    write_contacts(env.db, 25, tag="after-backup")
    at_t = datetime.now(UTC)
    state_t = db_state(url)
    write_contacts(env.db, 15, tag="after-t")
    assert killed_writer(url, "mid-transaction") == -signal.SIGKILL
    assert killed_writer(url, "in-commit") == -signal.SIGKILL
    write_contacts(env.db, 5, tag="after-crash")
    live = db_state(url)
    ship(env.config)
    env.db.dispose()

    report = restore(env.config, to=at_t, target_dir=tmp_path / "at-t")
    restored_url = f"sqlite:///{tmp_path / 'at-t' / 'madoguchi.sqlite3'}"
    assert db_state(restored_url) == state_t
    assert state_t[0] == 65
    assert audit_ok(restored_url)
    assert report.transactions_replayed == 25
    assert report.seconds > 0

    latest = restore(env.config, to=None, target_dir=tmp_path / "latest")
    latest_url = f"sqlite:///{tmp_path / 'latest' / 'madoguchi.sqlite3'}"
    assert db_state(latest_url) == live  # neither killed writer's row is there
    assert live[0] == 85
    assert audit_ok(latest_url)
    assert latest.transactions_replayed == 45


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.req("N-REL-2")
def test_postgres_point_in_time_restore_matches_the_state_then(
    tmp_path: Path, archiving_postgres: ArchivingPostgres
) -> None:
    url = _fresh_pg_database(archiving_postgres.url)
    env = make_env(tmp_path, database_url=url, backup_wal_archive_dir=str(archiving_postgres.spool))
    write_contacts(env.db, 30, tag="before-backup")
    run_backup(env.config)
    write_contacts(env.db, 20, tag="after-backup")
    at_t = datetime.now(UTC)
    state_t = db_state(url)
    write_contacts(env.db, 10, tag="after-t")
    assert killed_writer(url, "mid-transaction") == -signal.SIGKILL
    ship(env.config)
    env.db.dispose()

    target_dir = archiving_postgres.base / "restore-at-t"
    report = restore(env.config, to=at_t, target_dir=target_dir)
    assert report.backend == "postgresql"
    proc, server = start_restored(target_dir / "pgdata", archiving_postgres.base)
    try:
        restored_url = server + "/" + url.rsplit("/", 1)[1]
        assert db_state(restored_url) == state_t
        assert state_t[0] == 50
        assert audit_ok(restored_url)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
