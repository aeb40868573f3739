"""Atomic writes: a failure or a kill mid-write leaves nothing visible and the rest untouched."""

from __future__ import annotations

import base64
import contextlib
import errno
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from mediastore.crypto.errors import MediaNotFound, MediaStorageFull, MediaWriteFailed
from mediastore.crypto.keyring import Keyring
from mediastore.store.staging import open_exclusive
from mediastore.store.store import MediaStore
from tests.mediastore.conftest import read_all

REPO = Path(__file__).resolve().parents[2]


def leftovers(store: MediaStore) -> list[str]:
    """Names in the store that are not committed files."""
    if not store.root.exists():
        return []
    return sorted(p.name for p in store.root.rglob("*") if p.is_file() and p.suffix != ".mdgm")


class FillingDisk:
    """A file that raises ENOSPC once ``budget`` bytes have been written, like a full disk."""

    def __init__(self, inner: BinaryIO, budget: int) -> None:
        self._inner = inner
        self._budget = budget

    def write(self, data: Any) -> int:
        self._budget -= len(data)
        if self._budget < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def filling_opener(budget: int) -> Callable[[Path], BinaryIO]:
    def opener(path: Path) -> BinaryIO:
        return FillingDisk(open_exclusive(path), budget)  # type: ignore[return-value]

    return opener


@pytest.mark.req("N-SEC-3", "F-2.2.1")
@pytest.mark.parametrize("budget", [0, 100, 5000])
def test_disk_full_mid_stream_leaves_no_file_and_the_store_untouched(
    root: Path, make_ring: Callable[..., Keyring], budget: int
) -> None:
    healthy = MediaStore(root=root, keyring=make_ring("key-a"), chunk_size=64)
    healthy.write(file_id="before", chunks=[b"kept" * 100])
    full = MediaStore(
        root=root, keyring=make_ring("key-a"), chunk_size=64, opener=filling_opener(budget)
    )
    with pytest.raises(MediaStorageFull) as caught:
        full.write(file_id="big", chunks=[b"\x01" * 1000] * 20)
    assert caught.value.status_code == 507
    assert caught.value.errno == errno.ENOSPC
    assert healthy.list_ids() == ["before"]
    assert leftovers(healthy) == []
    assert read_all(healthy, "before") == b"kept" * 100
    with pytest.raises(MediaNotFound):
        healthy.info(file_id="big")


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB tmpfs (needs root and mount); skipped where that is not possible."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("no mount command: the ENOSPC fault-injection test covers this")
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?): fault injection covers ENOSPC")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


@pytest.mark.req("N-SEC-3", "F-2.2.1")
def test_a_really_full_disk_leaves_no_partial_file(
    tiny_tmpfs: Path, make_ring: Callable[..., Keyring]
) -> None:
    store = MediaStore(root=tiny_tmpfs / "media", keyring=make_ring("key-a"))
    store.write(file_id="small", chunks=[b"s" * 10_000])
    with pytest.raises(MediaStorageFull):
        store.write(file_id="huge", chunks=iter([b"\x02" * 65536] * 16))
    assert store.list_ids() == ["small"]
    assert leftovers(store) == []
    assert read_all(store, "small") == b"s" * 10_000
    store.write(file_id="after", chunks=[b"a" * 10_000])  # the space was given back
    assert read_all(store, "after") == b"a" * 10_000


@pytest.mark.req("F-2.2.1")
def test_a_failing_source_leaves_no_file(store: MediaStore) -> None:
    def source() -> Iterator[bytes]:
        yield b"first part of the recording" * 10
        raise ConnectionResetError("FreeSWITCH went away")

    with pytest.raises(ConnectionResetError):
        store.write(file_id="broken", chunks=source())
    assert store.list_ids() == []
    assert leftovers(store) == []


@pytest.mark.req("F-2.2.1")
@pytest.mark.anyio
async def test_a_failing_async_source_leaves_no_file(store: MediaStore) -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"x" * 500
        raise TimeoutError("recording upload stalled")

    with pytest.raises(TimeoutError):
        await store.write_async(file_id="stalled", chunks=source())
    assert store.list_ids() == []
    assert leftovers(store) == []


@pytest.mark.req("F-2.2.1")
def test_an_unwritable_directory_is_a_clear_error(
    store: MediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path) -> BinaryIO:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    broken = MediaStore(root=store.root, keyring=store.keyring, opener=refuse)
    with pytest.raises(MediaWriteFailed) as caught:
        broken.write(file_id="nope", chunks=[b"x"])
    assert caught.value.error_id == "media-write-failed"
    assert leftovers(store) == []


@pytest.mark.req("F-2.2.1")
def test_a_root_that_cannot_be_created_is_a_clear_error(
    tmp_path: Path, make_ring: Callable[..., Keyring]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"a file where the media folder should be")
    store = MediaStore(root=blocker / "media", keyring=make_ring("key-a"))
    with pytest.raises(MediaWriteFailed) as caught:
        store.write(file_id="x", chunks=[b"x"])
    assert caught.value.errno == errno.ENOTDIR


CHILD = """
import base64, os, sys
from pathlib import Path
from mediastore.crypto.keyring import parse_keyring
from mediastore.store.store import MediaStore

store = MediaStore(
    root=Path(sys.argv[1]), keyring=parse_keyring(single=os.environ["TEST_KEY"], ring=None)
)

def blocks():
    block = b"\\x5a" * 65536
    for _ in range(64):
        yield block
    sys.stdout.write("writing\\n")
    sys.stdout.flush()
    sys.stdin.readline()  # parked mid-write until killed
    yield block

store.write(file_id="killed", chunks=blocks())
"""


@pytest.mark.req("N-SEC-3", "F-2.2.1")
def test_a_kill_during_write_leaves_nothing_visible_and_sweep_cleans_up(
    root: Path, master_keys: dict[str, bytes]
) -> None:
    key_text = base64.b64encode(master_keys["key-a"]).decode()
    from mediastore.crypto.keyring import parse_keyring

    keyring = parse_keyring(single=key_text, ring=None)
    assert keyring is not None
    store = MediaStore(root=root, keyring=keyring)
    store.write(file_id="survivor", chunks=[b"v" * 200_000])
    env = {**os.environ, "TEST_KEY": key_text, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"writing\n"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                pipe.close()
    partials = [name for name in leftovers(store) if name.endswith(".part")]
    assert len(partials) == 1
    assert partials[0].startswith(".killed.")
    assert store.list_ids() == ["survivor"]
    with pytest.raises(MediaNotFound):
        store.open_range(file_id="killed", start=0, end=1)
    report = store.sweep_incomplete()
    assert report.partials_removed == 1
    assert leftovers(store) == []
    assert read_all(store, "survivor") == b"v" * 200_000


@pytest.mark.req("F-2.2.1")
def test_sweep_spares_temporary_files_younger_than_min_age(store: MediaStore) -> None:
    store.write(file_id="one", chunks=[b"1"])
    young = store.path_for("one").parent / ".two.0123456789abcdef.part"
    young.write_bytes(b"in progress")
    assert store.sweep_incomplete(min_age_seconds=3600).partials_removed == 0
    assert young.exists()
    assert store.sweep_incomplete().partials_removed == 1
    assert not young.exists()
