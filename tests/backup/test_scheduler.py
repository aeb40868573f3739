"""The scheduler: off without settings; takes a generation when due, otherwise only ships."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime.backup.scheduler import BackupScheduler, build
from realtime.backup.service import list_generations
from tests.backup.conftest import Env, write_contacts
from tests.support.app import make_app, make_settings


@pytest.mark.req("N-REL-2")
def test_the_scheduler_is_off_without_a_target_and_key(tmp_path: Path) -> None:
    app = make_app(make_settings(tmp_path))
    assert all(s.name != "backup" for s in app.ctx.extras["subsystems"])
    assert build(app.ctx) is None
    app.ctx.db.dispose()


@pytest.mark.req("N-REL-2")
def test_the_scheduler_backs_up_when_due_and_ships_in_between(env: Env) -> None:
    scheduler = BackupScheduler(env.config, interval_s=3600, ship_s=60)
    write_contacts(env.db, 2, tag="a")
    scheduler.tick()
    assert len(list_generations(env.config)) == 1
    write_contacts(env.db, 2, tag="b")
    scheduler.tick()
    assert len(list_generations(env.config)) == 1
    assert sorted(p.name for p in (env.target / "journal").iterdir())
    restarted = BackupScheduler(env.config, interval_s=3600, ship_s=60)
    assert not restarted.due(0.0) or restarted.last_backup_monotonic is None
    restarted.tick()  # learns the last generation's age from the target: not due yet
    assert len(list_generations(env.config)) == 1
    assert restarted.runs == 1
