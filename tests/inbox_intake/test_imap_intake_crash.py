"""The intake killed (SIGKILL) in the middle of a batch, then restarted: nothing lost or doubled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from inbox.intake.cli import PAUSE_AT_ENV, PAUSE_FILE_ENV, register
from inbox.models import InboxMessage, MailboxCursor
from mediastore.store.config import store_from_settings
from realtime.db import Database
from tests.inbox_intake.conftest import count_messages, mailbox_config, received_events
from tests.inbox_intake.mails import varied

REPO = Path(__file__).resolve().parents[2]


def intake_env(settings, mailboxes) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "MADOGUCHI_DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": settings.effective_database_url,
            "MADOGUCHI_SECRET_KEY": settings.secret_key.get_secret_value(),
            "MADOGUCHI_IMAP_MAILBOXES": json.dumps(mailboxes),
        }
    )
    return env


def imap_command(*args: str, env: dict[str, str], **kw) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "inbox.intake.cli", "imap", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


def wait_for_file(path: Path, proc: subprocess.Popen[bytes], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not path.exists():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"intake exited early: {err.decode()}")
        if time.monotonic() > deadline:
            raise AssertionError("the intake never reached the pause point")
        time.sleep(0.05)


@pytest.mark.req("F-1.6.1", "N-REL-1")
@pytest.mark.parametrize("pause_at", ["fetched:6", "stored-raw:6", "committed:6"])
def test_intake_killed_mid_batch_and_restarted_takes_each_message_once(
    imap_server, intake_settings, tmp_path, pause_at
):
    mails = varied(12, tag="crash")
    imap_server.append("public", mails)
    mailboxes = [mailbox_config(imap_server, "public")]
    settings = intake_settings(mailboxes)
    env = intake_env(settings, mailboxes)
    marker = tmp_path / "paused"

    first = imap_command("fetch", env={**env, PAUSE_AT_ENV: pause_at, PAUSE_FILE_ENV: str(marker)})
    try:
        wait_for_file(marker, first)
    finally:
        first.kill()  # SIGKILL: no clean-up of any kind
        first.communicate(timeout=30)
    assert first.returncode == -9

    db = Database(settings.effective_database_url)
    committed_before = 6 if pause_at.startswith("committed") else 5
    assert count_messages(db) == committed_before
    media = store_from_settings(settings)
    orphan_raw = pause_at.startswith("stored-raw")
    assert len(media.list_ids()) == committed_before + (1 if orphan_raw else 0)

    second = imap_command("fetch", env=env)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()
    assert json.loads(out)["taken"] == 12 - committed_before

    with db.session() as session:
        rows = list(session.exec(select(InboxMessage)))
        cursor = session.get(MailboxCursor, "public")
    assert sorted(r.uid for r in rows) == list(range(1, 13))
    assert cursor is not None
    assert cursor.last_uid == 12
    assert len(media.list_ids()) == 12  # the orphaned raw copy was reused, not duplicated
    by_uid = {r.uid: r for r in rows}
    for uid, raw in enumerate(mails, start=1):
        assert b"".join(media.read_all(file_id=by_uid[uid].raw_file_id)) == raw
    events = received_events(db)
    queued = [r for r in rows if r.state == "queued"]
    assert len(events) == len(queued)
    assert len({e.event_id for e in events}) == len(events)

    status = imap_command("status", env=env)
    out, err = status.communicate(timeout=60)
    assert status.returncode == 0, err.decode()
    report = json.loads(out)
    assert report["cursors"]["public"]["last_uid"] == 12
    assert sum(report["messages"]["public"].values()) == 12
    db.dispose()


@pytest.mark.req("F-1.6.1")
def test_imap_command_group_registers_run_fetch_and_status():
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    for command in ("run", "fetch", "status"):
        args = parser.parse_args(["imap", command])
        assert callable(args.handler)
    with pytest.raises(SystemExit):
        parser.parse_args(["imap", "delete-everything"])
