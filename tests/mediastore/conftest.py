"""Fixtures for the media store: master keys by id, a store with small chunks, sample data."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mediastore.crypto.keyring import Keyring
from mediastore.store.store import MediaStore

SMALL_CHUNK = 64


@pytest.fixture(scope="session")
def master_keys() -> dict[str, bytes]:
    """Three random master keys, A, B and C."""
    return {name: os.urandom(32) for name in ("key-a", "key-b", "key-c")}


@pytest.fixture
def make_ring(master_keys: dict[str, bytes]) -> Callable[..., Keyring]:
    """A keyring of the named keys; the first is active."""

    def build(*ids: str) -> Keyring:
        return Keyring(keys={i: master_keys[i] for i in ids}, active_id=ids[0])

    return build


@pytest.fixture
def ring_text(master_keys: dict[str, bytes]) -> Callable[..., str]:
    """The MADOGUCHI_MEDIA_MASTER_KEYS value for the named keys."""

    def build(*ids: str) -> str:
        return ",".join(f"{i}:{base64.b64encode(master_keys[i]).decode()}" for i in ids)

    return build


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def store(root: Path, make_ring: Callable[..., Keyring]) -> MediaStore:
    """A store under key A with 64-byte chunks, so small samples span many chunks."""
    return MediaStore(root=root, keyring=make_ring("key-a"), chunk_size=SMALL_CHUNK)


def pieces(data: bytes, sizes: tuple[int, ...] = (1, 7, 64, 100, 3)) -> list[bytes]:
    """Split ``data`` into uneven blocks, cycling through ``sizes``."""
    out: list[bytes] = []
    pos = 0
    step = 0
    while pos < len(data):
        size = sizes[step % len(sizes)]
        out.append(data[pos : pos + size])
        pos += size
        step += 1
    return out


def read_all(store: MediaStore, file_id: str) -> bytes:
    with store.read_all(file_id=file_id) as stream:
        return b"".join(stream)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
