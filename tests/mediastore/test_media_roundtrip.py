"""Encryption round trip: what goes in comes out, and the file on disk holds no plaintext."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mediastore.crypto.errors import MediaAlreadyExists, MediaInvalidId, MediaNotFound
from mediastore.crypto.fileformat import HEADER_BYTES, MAGIC, TAG_BYTES
from mediastore.store.store import MediaStore
from tests.mediastore.conftest import SMALL_CHUNK, pieces, read_all


@pytest.mark.req("N-SEC-3", "F-2.2.1")
@pytest.mark.parametrize(
    "length",
    [0, 1, SMALL_CHUNK - 1, SMALL_CHUNK, SMALL_CHUNK + 1, 5 * SMALL_CHUNK, 5 * SMALL_CHUNK + 17],
)
def test_round_trip_returns_the_exact_bytes_for_every_length(
    store: MediaStore, length: int
) -> None:
    data = os.urandom(length)
    stored = store.write(file_id="rec-1", chunks=pieces(data))
    assert stored.length == length
    assert read_all(store, "rec-1") == data
    chunks = max(1, -(-length // SMALL_CHUNK))
    assert stored.path.stat().st_size == HEADER_BYTES + length + chunks * TAG_BYTES


@pytest.mark.req("N-SEC-3")
def test_file_on_disk_holds_no_plaintext_and_same_input_encrypts_differently(
    store: MediaStore,
) -> None:
    data = b"RIFF....WAVEfmt " + "市民の相談内容".encode() * 40
    first = store.write(file_id="same-1", chunks=[data])
    second = store.write(file_id="same-2", chunks=[data])
    raw_1, raw_2 = first.path.read_bytes(), second.path.read_bytes()
    assert raw_1.startswith(MAGIC)
    assert b"RIFF" not in raw_1
    assert "市民".encode() not in raw_1
    assert raw_1[HEADER_BYTES:] != raw_2[HEADER_BYTES:]
    assert first.path.stat().st_mode & 0o777 == 0o600


@pytest.mark.req("N-SEC-3", "F-2.2.1")
@pytest.mark.anyio
async def test_async_source_round_trip(store: MediaStore) -> None:
    data = os.urandom(1000)

    async def source() -> AsyncIterator[bytes]:
        for block in pieces(data, (33, 200)):
            yield block

    stored = await store.write_async(file_id="async-1", chunks=source())
    assert stored.length == 1000
    assert stored.key_id == "key-a"
    assert read_all(store, "async-1") == data


@pytest.mark.req("F-2.2.1")
def test_write_file_encrypts_a_finished_recording(store: MediaStore, tmp_path: Path) -> None:
    source = tmp_path / "call.wav"
    data = os.urandom(3000)
    source.write_bytes(data)
    store.write_file(file_id="call-1", source=source, block_size=100)
    assert read_all(store, "call-1") == data
    assert store.info(file_id="call-1").length == 3000


@pytest.mark.req("N-PRIV-2")
def test_delete_removes_the_file(store: MediaStore) -> None:
    store.write(file_id="gone", chunks=[b"x" * 100])
    assert store.delete(file_id="gone") is True
    assert store.delete(file_id="gone") is False
    with pytest.raises(MediaNotFound):
        store.open_range(file_id="gone", start=0, end=1)
    assert store.list_ids() == []


@pytest.mark.req("F-2.2.1")
def test_existing_id_is_never_overwritten(store: MediaStore) -> None:
    store.write(file_id="keep", chunks=[b"original"])
    with pytest.raises(MediaAlreadyExists):
        store.write(file_id="keep", chunks=[b"replacement"])
    assert read_all(store, "keep") == b"original"


@pytest.mark.req("F-2.2.1")
def test_concurrent_writes_of_one_id_commit_only_the_first(store: MediaStore) -> None:
    def source() -> Iterator[bytes]:
        yield b"outer "
        store.write(file_id="race", chunks=[b"inner wins"])
        yield b"loses"

    with pytest.raises(MediaAlreadyExists) as caught:
        store.write(file_id="race", chunks=source())
    assert caught.value.status_code == 409
    assert read_all(store, "race") == b"inner wins"
    assert [p.name for p in store.path_for("race").parent.iterdir()] == ["race.mdgm"]


@pytest.mark.req("N-SEC-3")
@pytest.mark.parametrize("bad", ["", "../etc", "a/b", ".hidden", "x" * 65, "名前", "a b"])
def test_invalid_file_ids_are_refused(store: MediaStore, bad: str) -> None:
    with pytest.raises(MediaInvalidId):
        store.write(file_id=bad, chunks=[b"x"])
    assert not store.root.exists() or store.list_ids() == []
