"""Key rotation rewraps data keys, header only; resumable, idempotent, and loses nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mediastore.crypto.errors import MediaKeyMissing
from mediastore.crypto.fileformat import SLOT_BYTES, SLOT_OFFSET
from mediastore.crypto.keyring import Keyring
from mediastore.store import rotation
from mediastore.store.rotation import Outcome, rotate_all
from mediastore.store.store import MediaStore
from tests.mediastore.conftest import read_all


def fill(store: MediaStore, count: int) -> dict[str, bytes]:
    contents = {f"rec-{n}": os.urandom(100 + 37 * n) for n in range(count)}
    for file_id, data in contents.items():
        store.write(file_id=file_id, chunks=[data])
    return contents


def key_ids(store: MediaStore) -> set[str]:
    return {store.info(file_id=i).key_id for i in store.list_ids()}


@pytest.mark.req("N-SEC-3")
def test_rotation_rewraps_every_file_and_leaves_the_data_bytes_alone(
    root: Path, make_ring: Callable[..., Keyring]
) -> None:
    old = MediaStore(root=root, keyring=make_ring("key-a"), chunk_size=64)
    contents = fill(old, 5)
    before = {i: old.path_for(i).read_bytes() for i in contents}
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    report = rotate_all(rotating)
    assert (report.rotated, report.current, report.ok) == (5, 0, True)
    new_only = MediaStore(root=root, keyring=make_ring("key-b"))
    assert key_ids(new_only) == {"key-b"}
    for file_id, data in contents.items():
        after = new_only.path_for(file_id).read_bytes()
        assert after[:SLOT_OFFSET] == before[file_id][:SLOT_OFFSET]
        assert after[SLOT_OFFSET + SLOT_BYTES :] == before[file_id][SLOT_OFFSET + SLOT_BYTES :]
        assert (
            after[SLOT_OFFSET : SLOT_OFFSET + SLOT_BYTES]
            != before[file_id][SLOT_OFFSET:][:SLOT_BYTES]
        )
        assert read_all(new_only, file_id) == data
    with pytest.raises(MediaKeyMissing):
        MediaStore(root=root, keyring=make_ring("key-a")).info(file_id="rec-0")


@pytest.mark.req("N-SEC-3")
def test_running_rotation_again_changes_nothing(
    root: Path, make_ring: Callable[..., Keyring]
) -> None:
    fill(MediaStore(root=root, keyring=make_ring("key-a")), 3)
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    rotate_all(rotating)
    snapshot = {i: rotating.path_for(i).read_bytes() for i in rotating.list_ids()}
    again = rotate_all(rotating)
    assert (again.rotated, again.current) == (0, 3)
    assert {i: rotating.path_for(i).read_bytes() for i in rotating.list_ids()} == snapshot


@pytest.mark.req("N-SEC-3")
def test_files_under_an_unknown_key_are_reported_and_left_intact(
    root: Path, make_ring: Callable[..., Keyring]
) -> None:
    fill(MediaStore(root=root, keyring=make_ring("key-a")), 2)
    MediaStore(root=root, keyring=make_ring("key-c")).write(file_id="stray", chunks=[b"c" * 99])
    stray_before = MediaStore(root=root, keyring=make_ring("key-c")).path_for("stray").read_bytes()
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    outcomes: dict[str, Outcome] = {}
    report = rotate_all(rotating, progress=outcomes.__setitem__)
    assert report.rotated == 2
    assert report.unknown_key == {"stray": "key-c"}
    assert outcomes["stray"] is Outcome.UNKNOWN_KEY
    assert not report.ok
    assert rotating.path_for("stray").read_bytes() == stray_before
    assert read_all(MediaStore(root=root, keyring=make_ring("key-c")), "stray") == b"c" * 99


@pytest.mark.req("N-SEC-3")
def test_a_tampered_header_is_reported_not_rewrapped(
    root: Path, make_ring: Callable[..., Keyring]
) -> None:
    fill(MediaStore(root=root, keyring=make_ring("key-a")), 2)
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    path = rotating.path_for("rec-1")
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0x01  # inside the header MAC
    path.write_bytes(bytes(raw))
    report = rotate_all(rotating)
    assert report.rotated == 1
    assert report.tampered == {"rec-1": "header MAC mismatch"}
    assert path.read_bytes() == bytes(raw)


class Crash(BaseException):
    """Stands in for the process dying at a chosen point."""


@pytest.mark.req("N-SEC-3")
def test_a_crash_after_the_journal_is_written_is_finished_by_the_sweep(
    root: Path, make_ring: Callable[..., Keyring], monkeypatch: pytest.MonkeyPatch
) -> None:
    contents = fill(MediaStore(root=root, keyring=make_ring("key-a")), 1)
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    path = rotating.path_for("rec-0")
    real_write_slot = rotation._write_slot

    def torn_write(target: Path, slot: bytes) -> None:
        real_write_slot(target, slot[: len(slot) // 2] + b"\x00" * (len(slot) - len(slot) // 2))
        raise Crash

    monkeypatch.setattr(rotation, "_write_slot", torn_write)
    with pytest.raises(Crash):
        rotate_all(rotating)
    monkeypatch.setattr(rotation, "_write_slot", real_write_slot)
    assert rotating.journal_for("rec-0").exists()
    report = rotating.sweep_incomplete()
    assert report.journals_replayed == 1
    assert not rotating.journal_for("rec-0").exists()
    assert rotating.info(file_id="rec-0").key_id == "key-b"
    assert read_all(rotating, "rec-0") == contents["rec-0"]
    assert path.exists()


@pytest.mark.req("N-SEC-3")
def test_an_incomplete_journal_is_discarded_and_the_old_key_still_works(
    root: Path, make_ring: Callable[..., Keyring]
) -> None:
    contents = fill(MediaStore(root=root, keyring=make_ring("key-a")), 1)
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    rotating.journal_for("rec-0").write_bytes(b"MDGMROT1" + b"\x07" * 40)  # cut short
    report = rotating.sweep_incomplete()
    assert (report.journals_replayed, report.journals_discarded) == (0, 1)
    assert rotating.info(file_id="rec-0").key_id == "key-a"
    assert read_all(rotating, "rec-0") == contents["rec-0"]
    assert rotate_all(rotating).rotated == 1
    assert read_all(MediaStore(root=root, keyring=make_ring("key-b")), "rec-0") == contents["rec-0"]


@pytest.mark.req("N-SEC-3")
def test_an_interrupted_rotation_resumes_where_it_stopped(
    root: Path, make_ring: Callable[..., Keyring], monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(MediaStore(root=root, keyring=make_ring("key-a")), 4)
    rotating = MediaStore(root=root, keyring=make_ring("key-b", "key-a"))
    real_rewrap = rotation.rewrap
    calls = 0

    def dies_on_third(store: MediaStore, *, file_id: str) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise Crash
        return real_rewrap(store, file_id=file_id)

    monkeypatch.setattr(rotation, "rewrap", dies_on_third)
    with pytest.raises(Crash):
        rotate_all(rotating)
    monkeypatch.setattr(rotation, "rewrap", real_rewrap)
    report = rotate_all(rotating)
    assert (report.rotated, report.current) == (2, 2)
    assert key_ids(rotating) == {"key-b"}
