"""Storing a recording on RECORD_STOP: validation, encryption, catalogue, and failures."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlmodel import select

from cms.models import ContactEvent
from mediastore.crypto.errors import MediaStorageFull
from mediastore.crypto.keyring import Keyring
from mediastore.recordings.errors import RecordingExists, RecordingInvalid, RecordingMetadataInvalid
from mediastore.recordings.ingest import RecordingMeta, file_id_for, ingest_recording
from mediastore.recordings.models import Recording
from mediastore.store.staging import open_exclusive
from mediastore.store.store import MediaStore
from realtime.db import Database
from tests.mediastore2.conftest import T0, meta

REPO = Path(__file__).resolve().parents[2]


def _rows(db: Database) -> list[Recording]:
    with db.session() as session:
        return list(session.exec(select(Recording)).all())


@pytest.mark.req("F-2.2.1", "N-SEC-3")
def test_a_recording_is_stored_encrypted_catalogued_and_the_plain_file_removed(
    db: Database, store: MediaStore, wav: Any
) -> None:
    path = wav(seconds=1.5)
    plain = path.read_bytes()
    row = ingest_recording(
        database=db, store=store, path=path, metadata=meta(contact_id="c-1", seconds=1.5)
    )
    assert not path.exists()
    assert (row.agent, row.did, row.menu, row.channels, row.sample_rate) == (
        "op1",
        "0312345000",
        "1",
        2,
        8000,
    )
    assert row.duration_s == pytest.approx(1.5)
    assert row.file_length == len(plain)
    assert row.key_id == "k1"
    encrypted = store.path_for(file_id_for(row.id)).read_bytes()
    assert plain[44:1044] not in encrypted  # PCM never on disk in clear
    with store.read_all(file_id=row.file_id) as stream:
        assert b"".join(stream) == plain
    with db.session() as session:
        events = session.exec(
            select(ContactEvent).where(ContactEvent.type == "recording.stored")
        ).all()
    assert [e.contact_id for e in events] == ["c-1"]
    assert row.id in events[0].payload


@pytest.mark.req("F-2.2.1")
@pytest.mark.parametrize(
    "damage",
    ["truncated", "not-audio", "header-only", "empty", "three-channels"],
)
def test_a_broken_or_non_audio_file_is_refused_and_nothing_is_stored(
    sqlite_db: Database, store: MediaStore, wav: Any, damage: str
) -> None:
    good = ingest_recording(
        database=sqlite_db, store=store, path=wav(), metadata=meta(contact_id="c-good")
    )
    path = wav(seconds=2.0)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "not-audio":
        path.write_bytes(b"%PDF-1.7 " + os.urandom(3000))
    elif damage == "header-only":
        path.write_bytes(data[:20])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path = wav(seconds=0.2, channels=3, tones=(300.0, 400.0, 500.0))
    before = path.read_bytes()
    with pytest.raises(RecordingInvalid) as caught:
        ingest_recording(database=sqlite_db, store=store, path=path, metadata=meta(contact_id="x"))
    assert caught.value.status_code == 422
    assert caught.value.problem
    assert path.read_bytes() == before  # kept for the operator to inspect
    assert [r.id for r in _rows(sqlite_db)] == [good.id]
    assert store.list_ids() == [good.file_id]
    assert not [p for p in store.root.rglob(".*")]


class _FullDisk:
    def __init__(self, inner: BinaryIO, budget: int) -> None:
        self._inner, self._budget = inner, budget

    def write(self, data: Any) -> int:
        self._budget -= len(data)
        if self._budget < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _full_after(budget: int) -> Callable[[Path], BinaryIO]:
    def opener(path: Path) -> BinaryIO:
        return _FullDisk(open_exclusive(path), budget)  # type: ignore[return-value]

    return opener


@pytest.mark.req("F-2.2.1", "N-SEC-3")
def test_a_full_disk_gives_a_clear_error_and_leaves_the_store_untouched(
    sqlite_db: Database, store: MediaStore, wav: Any
) -> None:
    first = ingest_recording(
        database=sqlite_db, store=store, path=wav(), metadata=meta(contact_id="c-1")
    )
    full = MediaStore(
        root=store.root,
        keyring=store.keyring,
        chunk_size=1024,
        opener=_full_after(5000),
    )
    path = wav(seconds=2.0)
    with pytest.raises(MediaStorageFull) as caught:
        ingest_recording(database=sqlite_db, store=full, path=path, metadata=meta(contact_id="c2"))
    assert caught.value.status_code == 507
    assert path.exists()
    assert [r.id for r in _rows(sqlite_db)] == [first.id]
    assert store.list_ids() == [first.file_id]
    assert not [p for p in store.root.rglob(".*")]


@pytest.mark.req("F-2.2.1")
def test_bad_metadata_and_a_reused_id_are_refused(
    sqlite_db: Database, store: MediaStore, wav: Any
) -> None:
    with pytest.raises(RecordingMetadataInvalid):
        ingest_recording(
            database=sqlite_db,
            store=store,
            path=wav(),
            metadata=RecordingMeta(contact_id="c", started_at=T0, ended_at=T0.replace(year=2025)),
        )
    kept = ingest_recording(
        database=sqlite_db,
        store=store,
        path=wav(),
        metadata=RecordingMeta(contact_id="c", started_at=T0, ended_at=T0, recording_id="r-1"),
    )
    again = wav()
    with pytest.raises(RecordingExists):
        ingest_recording(
            database=sqlite_db,
            store=store,
            path=again,
            metadata=RecordingMeta(contact_id="c", started_at=T0, ended_at=T0, recording_id="r-1"),
        )
    assert again.exists()
    assert store.list_ids() == [kept.file_id]


CHILD = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from mediastore.crypto.keyring import Keyring
    from mediastore.recordings.ingest import RecordingMeta, ingest_recording
    from mediastore.store import staging
    from mediastore.store.store import MediaStore
    from realtime.db import Database

    url, root, source, key = sys.argv[1:5]
    fed = staging.StagedWrite.feed
    calls = [0]

    def feed(self, block):
        fed(self, block)
        calls[0] += 1
        if calls[0] == 1:
            print("writing", flush=True)
            sys.stdin.read()  # wait here until killed

    staging.StagedWrite.feed = feed
    store = MediaStore(
        root=Path(root), keyring=Keyring(keys={"k1": bytes.fromhex(key)}, active_id="k1"),
        chunk_size=1024,
    )
    t = datetime(2026, 4, 1, tzinfo=UTC)
    ingest_recording(database=Database(url), store=store, path=Path(source),
        metadata=RecordingMeta(contact_id="killed", started_at=t, ended_at=t))
    """
)


@pytest.mark.req("F-2.2.1", "N-SEC-3")
def test_a_kill_during_the_write_leaves_no_recording_and_the_source_for_a_retry(
    sqlite_db: Database, tmp_path: Path, wav: Any
) -> None:
    key = os.urandom(32)
    store = MediaStore(
        root=tmp_path / "media", keyring=Keyring(keys={"k1": key}, active_id="k1"), chunk_size=1024
    )
    source = wav(seconds=3.0)
    original = source.read_bytes()
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(sqlite_db.engine.url),
            str(store.root),
            str(source),
            key.hex(),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        child.kill()
        child.wait(timeout=30)
    assert store.list_ids() == []
    assert _rows(sqlite_db) == []
    assert source.read_bytes() == original
    assert store.sweep_incomplete().partials_removed == 1
    row = ingest_recording(
        database=sqlite_db, store=store, path=source, metadata=meta(contact_id="killed")
    )
    with store.read_all(file_id=row.file_id) as stream:
        assert b"".join(stream) == original
