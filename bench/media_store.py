"""Benchmark of the encrypted media store: write/read throughput, range latency, key rotation.

Usage: PYTHONPATH=. python bench/media_store.py [--mb 100] [--files 200] [--dir PATH]

Writes one file of ``--mb`` MiB from 1 MiB blocks (fsync included), reads it back whole,
times 1 MiB range reads at the end of that file (open + header check + decrypt of the covering
chunks), then rotates ``--files`` small files plus the big one to a new master key.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from mediastore.crypto.keyring import Keyring
from mediastore.store.rotation import rotate_all
from mediastore.store.store import MediaStore
from mediastore.store.verify import verify_files

MIB = 1024 * 1024


def blocks(total_mib: int) -> Iterator[bytes]:
    """``total_mib`` blocks of 1 MiB of random-looking bytes (two alternating blocks)."""
    pair = (os.urandom(MIB), os.urandom(MIB))
    for index in range(total_mib):
        yield pair[index % 2]


def run(root: Path, *, mb: int, files: int, range_reads: int) -> dict[str, float]:
    """Measure and return the numbers."""
    key_a, key_b = os.urandom(32), os.urandom(32)
    store = MediaStore(root=root, keyring=Keyring(keys={"a": key_a}, active_id="a"))
    size = mb * MIB

    started = time.perf_counter()
    store.write(file_id="big", chunks=blocks(mb))
    write_s = time.perf_counter() - started

    started = time.perf_counter()
    total = 0
    with store.read_all(file_id="big") as stream:
        for part in stream:
            total += len(part)
    read_s = time.perf_counter() - started
    assert total == size

    latencies: list[float] = []
    for _ in range(range_reads):
        started = time.perf_counter()
        with store.open_range(file_id="big", start=size - MIB, end=size) as stream:
            got = sum(len(p) for p in stream)
        latencies.append(time.perf_counter() - started)
        assert got == MIB

    small = os.urandom(64 * 1024)
    for n in range(files):
        store.write(file_id=f"small-{n}", chunks=[small])

    started = time.perf_counter()
    verified = verify_files(store)
    verify_s = time.perf_counter() - started

    rotating = MediaStore(root=root, keyring=Keyring(keys={"b": key_b, "a": key_a}, active_id="b"))
    report = rotate_all(rotating)
    rerun = rotate_all(rotating)
    assert report.rotated == files + 1
    assert rerun.current == files + 1
    return {
        "write_mb_s": size / MIB / write_s,
        "read_mb_s": size / MIB / read_s,
        "range_1mib_end_median_ms": statistics.median(latencies) * 1000,
        "range_1mib_end_p95_ms": sorted(latencies)[int(0.95 * (len(latencies) - 1))] * 1000,
        "verify_mb_s": verified.bytes_checked / MIB / verify_s,
        "rotation_ms_per_file": report.seconds / report.rotated * 1000,
        "rotation_rerun_ms_per_file": rerun.seconds / rerun.current * 1000,
        "rotated_files": float(report.rotated),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--range-reads", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the work folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as work:
        numbers = run(Path(work), mb=args.mb, files=args.files, range_reads=args.range_reads)
    for name, value in numbers.items():
        print(f"{name:32s} {value:10.2f}")


if __name__ == "__main__":
    main()
