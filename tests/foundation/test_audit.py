"""The audit log is a hash chain: changed, inserted or deleted entries are found."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from realtime import migrate
from realtime.audit import service as audit
from realtime.db import Database


def _fill(db: Database, n: int = 5) -> None:
    with db.session() as session:
        for i in range(n):
            audit.record(
                session,
                actor="admin",
                action="setting-changed",
                target=f"key{i}",
                detail={"value": i},
            )


def _drop_guard(db: Database) -> None:
    """What an attacker with database access would do first."""
    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))


@pytest.fixture
def db(database_url: str) -> Any:
    migrate.upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.mark.req("N-SEC-2")
def test_an_intact_log_verifies(db: Database) -> None:
    _fill(db)
    with db.session() as session:
        assert audit.verify(session) == audit.VerifyResult(True, 5)


@pytest.mark.req("N-SEC-2")
def test_the_database_refuses_to_update_or_delete_audit_entries(db: Database) -> None:
    _fill(db, 1)
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'x'"))
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))


@pytest.mark.req("N-SEC-2")
def test_a_changed_entry_is_named(db: Database) -> None:
    _fill(db)
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET target = 'innocent' WHERE seq = 3"))
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.reason == "entry content changed"


@pytest.mark.req("N-SEC-2")
def test_a_deleted_entry_is_named(db: Database) -> None:
    _fill(db)
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_bad_seq == 2


@pytest.mark.req("N-SEC-2")
def test_an_inserted_entry_is_named(db: Database) -> None:
    _fill(db)
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET seq = seq + 100 WHERE seq >= 4"))
        conn.execute(
            text(
                "INSERT INTO audit_entry (seq, at, actor, action, outcome, target, ip, detail, "
                "prev_hash, entry_hash) SELECT 4, at, 'intruder', action, outcome, target, ip, "
                "detail, entry_hash, entry_hash FROM audit_entry WHERE seq = 3"
            )
        )
        conn.execute(text("UPDATE audit_entry SET seq = seq - 99 WHERE seq >= 100"))
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_bad_seq == 4


@pytest.mark.req("N-SEC-2")
def test_deleting_the_newest_entries_is_caught_against_an_exported_head(db: Database) -> None:
    _fill(db)
    with db.session() as session:
        head = audit.current_head(session)
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
        conn.execute(text("UPDATE audit_head SET seq = 4"))
    with db.session() as session:
        assert audit.verify(session).ok  # the chain alone cannot tell
        result = audit.verify(session, expected_head=head)
    assert not result.ok
    assert result.first_bad_seq == 5


@pytest.mark.req("N-SEC-2")
def test_values_cannot_forge_log_lines(db: Database) -> None:
    with db.session() as session:
        entry = audit.record(
            session, actor="eve\nseq=99 action=sign-in", action="x\r\ny", detail={"v": "a\nb"}
        )
    assert "\n" not in entry.actor
    assert "\r" not in entry.action
    assert "\\n" in entry.actor
    assert "\\n" in entry.detail


@pytest.mark.req("N-SEC-2")
def test_audit_verify_command_exits_non_zero_and_names_the_entry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)
    db = Database(url)
    _fill(db)
    env = {**os.environ, "DATABASE_URL": url, "MADOGUCHI_DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "realtime.cli", "audit"]
    head_file = tmp_path / "head.json"
    ok = subprocess.run(
        [*cmd, "head", "--out", str(head_file)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert head_file.exists()
    assert (
        subprocess.run([*cmd, "verify", "--head", str(head_file)], env=env, check=False).returncode
        == 0
    )
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 2"))
    db.dispose()
    bad = subprocess.run([*cmd, "verify"], env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "entry 2" in bad.stderr
