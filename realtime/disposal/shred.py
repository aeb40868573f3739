"""Overwrite files with zeros, flush them to the disk, then remove them.

On an ordinary file system this makes the old blocks unreadable to the software reading the disk
afterwards; SSD wear levelling and snapshots are outside the program's reach (the operations
manual tells the city to destroy the media for those). Everything shredded here is already
encrypted or sealed except the database file itself.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20


@dataclass
class Shredded:
    """What one shredding pass removed."""

    files: int = 0
    bytes: int = 0

    def add(self, other: Shredded) -> None:
        self.files += other.files
        self.bytes += other.bytes


def shred_file(path: Path) -> int:
    """Overwrite ``path`` with zeros, fsync, unlink; its former size (0 when it was gone)."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return 0
    try:
        size = os.fstat(fd).st_size
        zeros = bytes(BLOCK)
        left = size
        while left > 0:
            left -= os.write(fd, zeros[: min(BLOCK, left)])
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink()
    return size


def shred_tree(root: Path) -> Shredded:
    """Shred every regular file under ``root`` (symlinks are removed, not followed), then the
    folders; ``root`` itself is left, empty."""
    done = Shredded()
    if not root.is_dir():
        return done
    for folder, dirs, files in os.walk(root, topdown=False):
        base = Path(folder)
        for name in files:
            path = base / name
            if path.is_symlink():
                path.unlink()
                continue
            done.add(Shredded(1, shred_file(path)))
        for name in dirs:
            path = base / name
            if path.is_symlink():
                path.unlink()
            else:
                with contextlib.suppress(OSError):
                    path.rmdir()
    return done


def remaining(root: Path) -> list[str]:
    """Files still under ``root`` (relative paths)."""
    if not root.is_dir():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())
