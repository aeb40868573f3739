"""Where backups go: a second location. Objects are written atomically and named by path.

Only a filesystem target exists (a mounted disk, NAS or off-site share). The target's root must
already exist: a missing root means the disk is gone or unmounted, and we say so rather than
silently writing into an empty mount point.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from realtime.backup.errors import BackupError, BackupTargetFull, BackupTargetGone

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class Target(Protocol):
    """A place to keep backup objects."""

    def describe(self) -> str:
        """Where it is, for messages."""

    def check(self) -> None:
        """Raise BackupTargetGone when the location is not there."""

    def put(self, name: str, write: Callable[[BinaryIO], None]) -> int:
        """Store an object written by ``write``; atomically replaces any old one; returns bytes."""

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        """Read an object."""
        yield  # type: ignore[misc]

    def exists(self, name: str) -> bool:
        """Whether the object is there."""

    def list(self, prefix: str) -> list[str]:
        """Names under a folder-like prefix ("generations/"), sorted."""

    def delete(self, name: str) -> None:
        """Remove an object (no error when absent)."""


class FilesystemTarget:
    """Objects as files under a root folder, written to a temporary name, fsynced, renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def check(self) -> None:
        if not self.root.is_dir():
            raise BackupTargetGone(target=str(self.root))
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise BackupTargetGone(target=str(self.root), reason="not writable")

    def _path(self, name: str) -> Path:
        parts = Path(name).parts
        if not parts or any(p in ("..", "") or p.startswith("/") for p in parts):
            raise BackupError(reason=f"bad object name {name!r}")
        return self.root.joinpath(*parts)

    def _fail(self, exc: OSError, name: str) -> BackupError:
        if exc.errno in _FULL:
            return BackupTargetFull(target=str(self.root), object=name)
        if not self.root.is_dir():
            return BackupTargetGone(target=str(self.root), object=name)
        return BackupError(target=str(self.root), object=name, reason=str(exc))

    def put(self, name: str, write: Callable[[BinaryIO], None]) -> int:
        self.check()
        path = self._path(name)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
                size = out.tell()
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise self._fail(exc, name) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return size

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        if not self.root.is_dir():
            raise BackupTargetGone(target=str(self.root))
        try:
            handle = self._path(name).open("rb")
        except OSError as exc:
            raise self._fail(exc, name) from exc
        with handle:
            yield handle

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def list(self, prefix: str) -> list[str]:
        self.check()
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    def delete(self, name: str) -> None:
        path = self._path(name)
        try:
            path.unlink(missing_ok=True)
            parent = path.parent
            while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        except OSError as exc:
            raise self._fail(exc, name) from exc


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
