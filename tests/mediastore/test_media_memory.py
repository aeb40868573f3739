"""Streaming: a 50 MB file is written and read with memory far below its size."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mediastore.crypto.keyring import Keyring
from mediastore.store.store import MediaStore

TOTAL = 50 * 1024 * 1024
BLOCK = 1024 * 1024
PEAK_LIMIT = 1024 * 1024  # the store's own allocations, against a 50 MB file


@pytest.mark.req("N-SEC-3", "F-2.2.1")
def test_fifty_megabytes_stream_through_in_bounded_memory(
    root: Path, make_ring: Callable[..., Keyring]
) -> None:
    store = MediaStore(root=root, keyring=make_ring("key-a"))
    blocks = (os.urandom(BLOCK), os.urandom(BLOCK))  # allocated before tracing starts
    expected = hashlib.sha256()

    def source() -> Iterator[bytes]:
        for index in range(TOTAL // BLOCK):
            block = blocks[index % 2]
            expected.update(block)
            yield block

    tracemalloc.start()
    try:
        store.write(file_id="long-call", chunks=source())
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        actual = hashlib.sha256()
        with store.read_all(file_id="long-call") as stream:
            for part in stream:
                actual.update(part)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert actual.digest() == expected.digest()
    assert store.info(file_id="long-call").length == TOTAL
    assert write_peak < PEAK_LIMIT, write_peak
    assert read_peak < PEAK_LIMIT, read_peak
