"""Fixtures for recordings, retention, QA and transcripts: WAV files, a store, an app, users."""

from __future__ import annotations

import contextlib
import math
import os
import struct
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from starlette.testclient import TestClient

from mediastore.crypto.keyring import Keyring
from mediastore.recordings.context import store_of
from mediastore.recordings.ingest import RecordingMeta, ingest_recording
from mediastore.recordings.models import Recording
from mediastore.store.store import MediaStore
from realtime import migrate
from realtime.auth.permissions import Role, needs_second_factor
from realtime.db import Database
from tests.support.app import add_user, make_app, make_settings, signin

RATE = 8000
T0 = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)  # 10:00 in Japan


def write_wav(
    path: Path,
    *,
    seconds: float = 1.0,
    channels: int = 2,
    rate: int = RATE,
    tones: tuple[float, ...] = (440.0, 660.0),
) -> Path:
    """A 16-bit PCM WAV: one sine tone per channel (left 440 Hz, right 660 Hz)."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        data = bytearray()
        for n in range(frames):
            for c in range(channels):
                value = int(12000 * math.sin(2 * math.pi * tones[c % len(tones)] * n / rate))
                data += struct.pack("<h", value)
        writer.writeframes(bytes(data))
    return path


@pytest.fixture
def wav(tmp_path: Path) -> Callable[..., Path]:
    """Make a WAV file in a fresh folder (the call path's recording folder)."""
    folder = tmp_path / "recordings-in"
    folder.mkdir(exist_ok=True)
    counter = iter(range(1_000_000))

    def make(**kwargs: Any) -> Path:
        return write_wav(folder / f"call-{next(counter)}.wav", **kwargs)

    return make


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(keys={"k1": os.urandom(32)}, active_id="k1")


@pytest.fixture
def store(tmp_path: Path, keyring: Keyring) -> MediaStore:
    return MediaStore(root=tmp_path / "media", keyring=keyring, chunk_size=1024)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on SQLite and on PostgreSQL."""
    migrate.upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'media.sqlite3'}"
    migrate.upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def meta(
    *,
    contact_id: str,
    agent: str = "op1",
    did: str = "0312345000",
    menu: str = "1",
    start: datetime = T0,
    seconds: float = 1.0,
) -> RecordingMeta:
    return RecordingMeta(
        contact_id=contact_id,
        agent=agent,
        did=did,
        menu=menu,
        started_at=start,
        ended_at=start + timedelta(seconds=seconds),
    )


@dataclass
class Web:
    """The app, its database and store, and a way to sign in as any role."""

    app: Any
    db: Database
    store: MediaStore
    wav: Callable[..., Path]
    stack: contextlib.ExitStack

    def client(self, username: str, role: Role) -> tuple[TestClient, str]:
        secret = pyotp.random_base32() if needs_second_factor([role]) else None
        add_user(self.app, username, role, totp_secret=secret)
        client = self.stack.enter_context(TestClient(self.app, base_url="http://testserver"))
        return client, signin(client, username, totp_secret=secret)

    def ingest(self, **kwargs: Any) -> Recording:
        seconds = kwargs.pop("seconds", 1.0)
        path = self.wav(seconds=seconds)
        return ingest_recording(
            database=self.db, store=self.store, path=path, metadata=meta(seconds=seconds, **kwargs)
        )


@pytest.fixture
def web(tmp_path: Path, wav: Callable[..., Path]) -> Iterator[Web]:
    """The whole app on SQLite with its own media store (development key in the data folder)."""
    app = make_app(make_settings(tmp_path / "data"))
    with contextlib.ExitStack() as stack:
        yield Web(app=app, db=app.ctx.db, store=store_of(app.ctx), wav=wav, stack=stack)
    app.ctx.db.dispose()


def close_interaction(
    database: Database,
    *,
    contact_id: str,
    outcome: str = "answered",
    category: str = "",
    line: str = "0312345000",
    saved_at: datetime = T0,
) -> None:
    """The interaction history of a contact, saved (closed) at ``saved_at``."""
    from crm.interactions.models import Interaction

    with database.session() as session:
        session.add(
            Interaction(
                id="i-" + contact_id,
                contact_id=contact_id,
                channel="call",
                line=line,
                work_type="inquiry",
                category1=category,
                outcome=outcome,
                saved_at=saved_at,
                updated_at=saved_at,
                agent="op1",
            )
        )
