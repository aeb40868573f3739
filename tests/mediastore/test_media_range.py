"""Range reads for seeking in the browser, and the HTTP Range header decision."""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import pytest

from mediastore.crypto.errors import MediaKeyMissing, MediaRangeNotSatisfiable
from mediastore.crypto.keyring import Keyring
from mediastore.store.http_range import parse_range
from mediastore.store.store import MediaStore
from tests.mediastore.conftest import SMALL_CHUNK


@pytest.mark.req("F-2.2.1")
def test_random_ranges_match_the_plaintext_slice(store: MediaStore) -> None:
    data = os.urandom(20 * SMALL_CHUNK + 31)
    store.write(file_id="seek", chunks=[data])
    rng = random.Random(7)
    cases = [(0, len(data)), (0, 1), (len(data) - 1, len(data)), (SMALL_CHUNK, 2 * SMALL_CHUNK)]
    cases += [(5, 5), (len(data), len(data))]
    for _ in range(200):
        a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
        cases.append((a, b))
    for start, end in cases:
        with store.open_range(file_id="seek", start=start, end=end) as stream:
            assert stream.size == end - start
            assert b"".join(stream) == data[start:end], (start, end)


@pytest.mark.req("F-2.2.1")
@pytest.mark.parametrize(
    ("start", "end"), [(-1, 5), (0, 1001), (1001, 1001), (10, 9), (2000, 3000)]
)
def test_out_of_bounds_ranges_raise_416_before_any_byte(
    store: MediaStore, start: int, end: int
) -> None:
    store.write(file_id="bounds", chunks=[b"z" * 1000])
    with pytest.raises(MediaRangeNotSatisfiable) as caught:
        store.open_range(file_id="bounds", start=start, end=end)
    assert caught.value.status_code == 416
    assert caught.value.length == 1000


@pytest.mark.req("N-SEC-3")
def test_a_missing_master_key_is_a_clear_error(
    store: MediaStore, make_ring: Callable[..., Keyring]
) -> None:
    store.write(file_id="old", chunks=[b"secret"])
    other = MediaStore(root=store.root, keyring=make_ring("key-b"))
    with pytest.raises(MediaKeyMissing) as caught:
        other.open_range(file_id="old", start=0, end=1)
    assert caught.value.key_id == "key-a"
    assert caught.value.status_code == 503


@pytest.mark.req("F-2.2.1")
@pytest.mark.parametrize(
    ("header", "length", "expected"),
    [
        (None, 1000, (200, 0, 1000, None)),
        ("", 1000, (200, 0, 1000, None)),
        ("bytes=0-499", 1000, (206, 0, 500, "bytes 0-499/1000")),
        ("bytes=500-", 1000, (206, 500, 1000, "bytes 500-999/1000")),
        ("bytes=-200", 1000, (206, 800, 1000, "bytes 800-999/1000")),
        ("bytes=-5000", 1000, (206, 0, 1000, "bytes 0-999/1000")),
        ("bytes=900-5000", 1000, (206, 900, 1000, "bytes 900-999/1000")),
        ("bytes=999-999", 1000, (206, 999, 1000, "bytes 999-999/1000")),
        ("Bytes = 10 - 19", 1000, (206, 10, 20, "bytes 10-19/1000")),
        ("bytes=1000-", 1000, (416, 0, 0, "bytes */1000")),
        ("bytes=1000-1005", 1000, (416, 0, 0, "bytes */1000")),
        ("bytes=-0", 1000, (416, 0, 0, "bytes */1000")),
        ("bytes=0-", 0, (416, 0, 0, "bytes */0")),
        ("bytes=-10", 0, (416, 0, 0, "bytes */0")),
        ("bytes=0-1,5-9", 1000, (200, 0, 1000, None)),
        ("items=0-5", 1000, (200, 0, 1000, None)),
        ("bytes=5-1", 1000, (200, 0, 1000, None)),
        ("bytes=abc", 1000, (200, 0, 1000, None)),
        ("bytes=-", 1000, (200, 0, 1000, None)),
        ("bytes=" + "9" * 40 + "-", 1000, (200, 0, 1000, None)),
    ],
)
def test_range_header_decision(
    header: str | None, length: int, expected: tuple[int, int, int, str | None]
) -> None:
    decision = parse_range(header, length=length)
    status, start, end, content_range = expected
    assert (decision.status, decision.start, decision.end) == (status, start, end)
    assert decision.content_range == content_range
    if status == 206:
        assert decision.content_length == end - start


@pytest.mark.req("F-2.2.1")
def test_range_header_feeds_open_range(store: MediaStore) -> None:
    data = os.urandom(3000)
    store.write(file_id="http", chunks=[data])
    length = store.info(file_id="http").length
    decision = parse_range("bytes=-100", length=length)
    with store.open_range(file_id="http", start=decision.start, end=decision.end) as stream:
        assert b"".join(stream) == data[-100:]
    assert parse_range("bytes=0-1,3-4", length=length).note == "multiple ranges not supported"
