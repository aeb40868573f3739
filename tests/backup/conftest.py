"""Fixtures for backup tests: a migrated database, a backup target and an archiving PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlmodel import Session, text

from cms import service as cms
from cms.events import EventType
from realtime import migrate
from realtime.audit import service as audit
from realtime.backup.config import BackupConfig, config_from_settings
from realtime.db import Database
from realtime.settings import Settings
from tests.support import servers
from tests.support.app import make_settings

REPO = Path(__file__).resolve().parents[2]
KEY = base64.b64encode(bytes(range(32))).decode()


@dataclass
class Env:
    """A data folder, its database, and a backup configuration pointing at a target folder."""

    settings: Settings
    config: BackupConfig
    db: Database
    target: Path


def make_env(base: Path, database_url: str | None = None, **extra: Any) -> Env:
    target = Path(extra.pop("backup_target", base / "target"))
    target.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "backup_target": str(target),
        "backup_key": KEY,
        "backup_step_pages": 8,
        "backup_step_pause_ms": 1,
    }
    values.update(extra)
    settings = make_settings(base / "data", database_url=database_url, **values)
    migrate.upgrade(settings.effective_database_url)
    return Env(
        settings, config_from_settings(settings), Database(settings.effective_database_url), target
    )


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path)
    yield e
    e.db.dispose()


def write_contacts(db: Database, count: int, *, tag: str) -> None:
    """Append contact events, each with an audit entry in the same transaction."""
    for i in range(count):
        with db.session() as session:
            audit.record(
                session, actor="drill", action="contact.append", detail={"tag": tag, "i": i}
            )
            cms.append(
                session,
                event=cms.NewEvent(
                    type=EventType.CONTACT_RECEIVED,
                    occurred_at=datetime.now(UTC),
                    contact_id=f"{tag}-{i}",
                    payload={"trunk": f"{tag}-{i}"},
                ),
            )


def db_state(url: str) -> tuple[int, int, str]:
    """(contact events, audit entries, SHA-256 over both tables' content in order)."""
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            events = conn.execute(
                text(
                    "SELECT seq, event_id, type, contact_id, payload"
                    " FROM contact_event ORDER BY seq"
                )
            ).all()
            entries = conn.execute(
                text(
                    "SELECT seq, actor, action, detail, prev_hash, entry_hash"
                    " FROM audit_entry ORDER BY seq"
                )
            ).all()
    finally:
        database.dispose()
    digest = hashlib.sha256(repr([tuple(r) for r in events] + [tuple(r) for r in entries]).encode())
    return len(events), len(entries), digest.hexdigest()


def audit_ok(url: str) -> bool:
    database = Database(url)
    try:
        with Session(database.engine) as session:
            return audit.verify(session).ok
    finally:
        database.dispose()


WRITER = """
import os, signal, sys
from datetime import UTC, datetime
from sqlalchemy import event
from cms import service as cms
from cms.events import EventType
from realtime.db import Database
db = Database(sys.argv[1])
mode = sys.argv[2]
if mode == "in-commit":
    # after the journal's hook (registered first) has appended the record, before COMMIT
    event.listen(db.engine, "commit", lambda conn: os.kill(os.getpid(), signal.SIGKILL))
with db.session() as session:
    session.add(cms._validated(cms.NewEvent(type=EventType.CONTACT_RECEIVED,
        occurred_at=datetime.now(UTC), contact_id="killed", payload={})))
    session.flush()
    if mode == "mid-transaction":
        print("ready", flush=True)
        sys.stdin.read()
"""


def killed_writer(url: str, mode: str) -> int:
    """Run a writer process that dies by SIGKILL mid-transaction; returns its exit status."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, url, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    ) as proc:
        if mode == "mid-transaction":
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == b"ready"
            proc.send_signal(signal.SIGKILL)
        return proc.wait(timeout=60)


# --- PostgreSQL with WAL archiving -------------------------------------------------------------


@dataclass
class ArchivingPostgres:
    url: str  # server URL without a database
    spool: Path
    base: Path


def _run_as() -> dict[str, Any]:
    return servers._as_postgres_user()


@pytest.fixture(scope="module")
def archiving_postgres() -> Iterator[ArchivingPostgres]:
    """A PostgreSQL cluster of its own with wal_level=replica and archive_command into a spool."""
    if not (servers.PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 is not installed (Debian package postgresql-15)")
    base = Path(tempfile.mkdtemp(prefix="madoguchi-pgarch-"))
    base.chmod(0o755)
    data, spool = base / "pgdata", base / "spool"
    data.mkdir()
    spool.mkdir()
    run_as = _run_as()
    if run_as:
        for path in (base, data, spool):
            shutil.chown(path, user="postgres")
    subprocess.run(
        [str(servers.PG_BIN / "initdb"), "-D", str(data), "-U", "madoguchi", "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True, **run_as,
    )  # fmt: skip
    port = servers.free_port()
    proc = subprocess.Popen(
        [str(servers.PG_BIN / "postgres"), "-D", str(data), "-p", str(port), "-k", str(base),
         "-c", "listen_addresses=127.0.0.1", "-c", "wal_level=replica", "-c", "archive_mode=on",
         "-c", f"archive_command=test ! -f {spool}/%f && cp %p {spool}/%f && chmod 644 {spool}/%f",
         "-c", "max_wal_senders=4"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **run_as,
    )  # fmt: skip
    try:
        servers.wait_for_port(port, proc=proc, what="postgres")
        _wait_accepting(port, proc)
        yield ArchivingPostgres(f"postgresql+psycopg://madoguchi@127.0.0.1:{port}", spool, base)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def _wait_accepting(port: int, proc: subprocess.Popen[bytes]) -> None:
    """Listening is not accepting: wait until a session can be opened."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(f"postgresql://madoguchi@127.0.0.1:{port}/postgres"):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
        time.sleep(0.05)


def start_restored(pgdata: Path, base: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start PostgreSQL on a restored data folder and wait until recovery has promoted it."""
    run_as = _run_as()
    if run_as:
        subprocess.run(["chown", "-R", "postgres:postgres", str(pgdata.parent)], check=True)
    port = servers.free_port()
    proc = subprocess.Popen(
        [str(servers.PG_BIN / "postgres"), "-D", str(pgdata), "-p", str(port), "-k", str(base),
         "-c", "listen_addresses=127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **run_as,
    )  # fmt: skip
    servers.wait_for_port(port, proc=proc, what="restored postgres", timeout=120)
    url = f"postgresql+psycopg://madoguchi@127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with psycopg.connect(f"postgresql://madoguchi@127.0.0.1:{port}/postgres") as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if row is not None and not row[0]:
                    return proc, url
        except psycopg.OperationalError:
            pass  # still starting up
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("restored PostgreSQL did not finish recovery")
        time.sleep(0.1)
