"""Bad input: a full or missing target, a time before the first backup, a corrupted backup."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from realtime.backup.errors import (
    BackupCorrupted,
    BackupTargetFull,
    BackupTargetGone,
    RestoreTooEarly,
)
from realtime.backup.service import list_generations, restore, run_backup
from tests.backup.conftest import Env, db_state, make_env, write_contacts


@pytest.mark.req("N-REL-2")
def test_a_missing_target_is_reported_and_the_database_keeps_working(env: Env) -> None:
    url = env.settings.effective_database_url
    write_contacts(env.db, 3, tag="a")
    env.target.rmdir()
    with pytest.raises(BackupTargetGone):
        run_backup(env.config)
    write_contacts(env.db, 2, tag="b")
    assert db_state(url)[0] == 5


@pytest.mark.req("N-REL-2")
def test_a_full_target_is_reported_and_leaves_no_partial_generation(tmp_path: Path) -> None:
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("needs root to mount a small tmpfs as a full disk")
    try:
        env = make_env(tmp_path / "site", backup_target=str(mount_point))
        env.config.target.check()
        write_contacts(env.db, 300, tag="big")
        before = db_state(env.settings.effective_database_url)
        with pytest.raises(BackupTargetFull):
            run_backup(env.config)
        assert list_generations(env.config) == []
        assert not [p for p in mount_point.rglob(".*.part")]
        write_contacts(env.db, 1, tag="after")
        assert db_state(env.settings.effective_database_url)[0] == before[0] + 1
        env.db.dispose()
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.req("N-REL-2")
def test_restore_to_a_time_before_the_first_backup_is_refused(env: Env, tmp_path: Path) -> None:
    write_contacts(env.db, 2, tag="a")
    before = datetime.now(UTC) - timedelta(minutes=1)
    run_backup(env.config)
    with pytest.raises(RestoreTooEarly) as caught:
        restore(env.config, to=before, target_dir=tmp_path / "out")
    assert "first_backup" in caught.value.data
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.req("N-REL-2")
def test_restore_with_no_backups_at_all_is_refused(env: Env, tmp_path: Path) -> None:
    with pytest.raises(RestoreTooEarly):
        restore(env.config, to=None, target_dir=tmp_path / "out")


@pytest.mark.req("N-REL-2")
@pytest.mark.parametrize("what", ["database", "journal", "manifest"])
def test_a_corrupted_backup_object_is_reported_and_nothing_half_restored(
    env: Env, tmp_path: Path, what: str
) -> None:
    url = env.settings.effective_database_url
    write_contacts(env.db, 5, tag="a")
    run_backup(env.config)
    write_contacts(env.db, 5, tag="b")
    from realtime.backup.service import ship

    ship(env.config)
    live = db_state(url)
    pattern = {"database": "generations/*/db.sqlite3", "journal": "journal/seg-*.jnl",
               "manifest": "generations/*/manifest.json"}[what]  # fmt: skip
    victims = [p for p in env.target.glob(pattern) if p.stat().st_size > 200]
    victim = victims[-1]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2 + 60] ^= 0x01
    victim.write_bytes(bytes(data))
    with pytest.raises(BackupCorrupted):
        restore(env.config, to=None, target_dir=tmp_path / "out", local_journal=None)
    assert not (tmp_path / "out").exists()
    assert db_state(url) == live  # the running database is untouched


@pytest.mark.req("N-REL-2")
def test_a_truncated_journal_segment_on_the_target_is_a_gap_not_silent_loss(
    env: Env, tmp_path: Path
) -> None:
    write_contacts(env.db, 2, tag="a")
    run_backup(env.config)
    write_contacts(env.db, 3, tag="b")
    run_backup(env.config)  # closes the segment holding "b" and ships it
    write_contacts(env.db, 2, tag="c")
    from realtime.backup.service import ship

    ship(env.config)
    first = sorted(env.target.glob("generations/*/manifest.json"))[0].parent.name
    for path in env.target.glob("generations/*"):
        if path.name != first:
            for f in path.iterdir():
                f.unlink()
            path.rmdir()
    segments = sorted(env.target.glob("journal/seg-*.jnl"))
    segments[0].unlink()  # the segment after the first generation is gone
    with pytest.raises(BackupCorrupted) as caught:
        restore(env.config, to=None, target_dir=tmp_path / "out", local_journal=None)
    assert caught.value.data.get("reason") == "journal has a gap"
