"""Tamper detection: every edit of the file is refused with media-tampered, never as plaintext."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mediastore.crypto.errors import MediaKeyMissing, MediaTampered
from mediastore.crypto.fileformat import HEADER_BYTES, SLOT_OFFSET, TAG_BYTES
from mediastore.crypto.keyring import KEY_ID_MAX
from mediastore.store.store import MediaStore
from tests.mediastore.conftest import SMALL_CHUNK, read_all

SEALED = SMALL_CHUNK + TAG_BYTES
DATA_LENGTH = 5 * SMALL_CHUNK + 10  # six chunks, the last one short


def chunk_offset(index: int) -> int:
    return HEADER_BYTES + index * SEALED


@pytest.fixture
def sample(store: MediaStore) -> tuple[bytes, Path]:
    data = os.urandom(DATA_LENGTH)
    return data, store.write(file_id="victim", chunks=[data]).path


def edit(path: Path, offset: int, new: bytes) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset : offset + len(new)] = new
    path.write_bytes(bytes(raw))


@pytest.mark.req("N-SEC-3")
def test_a_bit_flip_anywhere_in_the_file_is_detected(
    store: MediaStore, sample: tuple[bytes, Path]
) -> None:
    data, path = sample
    original = path.read_bytes()
    key_id_bytes = range(SLOT_OFFSET, SLOT_OFFSET + KEY_ID_MAX)
    for offset in range(len(original)):
        for mask in (0x01, 0x80):
            flipped = bytearray(original)
            flipped[offset] ^= mask
            path.write_bytes(bytes(flipped))
            # A flipped master key id may name a key we do not hold: refused just the same.
            allowed = (MediaTampered, MediaKeyMissing) if offset in key_id_bytes else MediaTampered
            with pytest.raises(allowed):
                read_all(store, "victim")
    path.write_bytes(original)
    assert read_all(store, "victim") == data


@pytest.mark.req("N-SEC-3")
@pytest.mark.parametrize(
    "keep",
    [0, 8, HEADER_BYTES - 1, HEADER_BYTES, HEADER_BYTES + SEALED, chunk_offset(5), -1],
)
def test_truncation_is_detected(store: MediaStore, sample: tuple[bytes, Path], keep: int) -> None:
    _data, path = sample
    raw = path.read_bytes()
    path.write_bytes(raw[:keep])
    with pytest.raises(MediaTampered):
        read_all(store, "victim")


@pytest.mark.req("N-SEC-3")
def test_truncation_at_a_chunk_boundary_is_detected_even_in_a_range_read(
    store: MediaStore, sample: tuple[bytes, Path]
) -> None:
    _data, path = sample
    raw = path.read_bytes()
    path.write_bytes(raw[: chunk_offset(5)])  # drop the whole last chunk
    with pytest.raises(MediaTampered, match="truncated"):
        store.open_range(file_id="victim", start=0, end=10)


@pytest.mark.req("N-SEC-3")
@pytest.mark.parametrize("extra", [b"\x00", b"junk" * 100])
def test_appended_bytes_are_detected(
    store: MediaStore, sample: tuple[bytes, Path], extra: bytes
) -> None:
    _data, path = sample
    path.write_bytes(path.read_bytes() + extra)
    with pytest.raises(MediaTampered, match="appended"):
        read_all(store, "victim")


@pytest.mark.req("N-SEC-3")
def test_appending_a_copy_of_a_sealed_chunk_is_detected(
    store: MediaStore, sample: tuple[bytes, Path]
) -> None:
    _data, path = sample
    raw = path.read_bytes()
    path.write_bytes(raw + raw[chunk_offset(1) : chunk_offset(2)])
    with pytest.raises(MediaTampered):
        read_all(store, "victim")


@pytest.mark.req("N-SEC-3")
def test_reordered_chunks_are_detected(store: MediaStore, sample: tuple[bytes, Path]) -> None:
    _data, path = sample
    raw = path.read_bytes()
    one, two = raw[chunk_offset(1) : chunk_offset(2)], raw[chunk_offset(2) : chunk_offset(3)]
    path.write_bytes(raw[: chunk_offset(1)] + two + one + raw[chunk_offset(3) :])
    with pytest.raises(MediaTampered, match="chunk 1"):
        read_all(store, "victim")


@pytest.mark.req("N-SEC-3")
def test_a_chunk_swapped_in_from_another_file_is_detected(store: MediaStore) -> None:
    first = store.write(file_id="first", chunks=[os.urandom(DATA_LENGTH)]).path
    second = store.write(file_id="second", chunks=[os.urandom(DATA_LENGTH)]).path
    foreign = second.read_bytes()[chunk_offset(2) : chunk_offset(3)]
    edit(first, chunk_offset(2), foreign)
    with pytest.raises(MediaTampered, match="chunk 2"):
        read_all(store, "first")


@pytest.mark.req("N-SEC-3")
def test_a_whole_file_copied_under_another_id_is_detected(store: MediaStore) -> None:
    store.write(file_id="original", chunks=[b"a" * 300])
    target = store.write(file_id="other", chunks=[b"b" * 300]).path
    target.write_bytes(store.path_for("original").read_bytes())
    with pytest.raises(MediaTampered, match="file id"):
        read_all(store, "other")


@pytest.mark.req("N-SEC-3")
def test_no_plaintext_from_a_tampered_chunk_or_after_it_is_yielded(
    store: MediaStore, sample: tuple[bytes, Path]
) -> None:
    data, path = sample
    raw = path.read_bytes()
    edit(path, chunk_offset(3) + 5, bytes([raw[chunk_offset(3) + 5] ^ 0xFF]))
    received: list[bytes] = []
    with store.read_all(file_id="victim") as stream, pytest.raises(MediaTampered):
        received.extend(stream)
    assert b"".join(received) == data[: 3 * SMALL_CHUNK]


@pytest.mark.req("N-SEC-3", "F-2.2.1")
def test_range_reads_touch_only_the_chunks_they_need(
    store: MediaStore, sample: tuple[bytes, Path]
) -> None:
    data, path = sample
    raw = path.read_bytes()
    edit(path, chunk_offset(4) + 1, bytes([raw[chunk_offset(4) + 1] ^ 0x01]))
    start, end = SMALL_CHUNK + 3, 4 * SMALL_CHUNK  # chunks 1..3 only
    with store.open_range(file_id="victim", start=start, end=end) as stream:
        assert b"".join(stream) == data[start:end]
    with (
        pytest.raises(MediaTampered),
        store.open_range(file_id="victim", start=end - 1, end=end + 1) as stream,
    ):
        b"".join(stream)


@pytest.mark.req("N-SEC-3")
def test_a_file_of_another_format_is_refused(store: MediaStore) -> None:
    path = store.write(file_id="wav", chunks=[b"x"]).path
    path.write_bytes(b"RIFF" + os.urandom(400))
    with pytest.raises(MediaTampered, match="not a media store file") as caught:
        store.info(file_id="wav")
    assert caught.value.public()["error"] == "media-tampered"
    assert "RIFF" not in str(caught.value.public())
