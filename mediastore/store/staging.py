"""A write in progress: a temporary file in the target directory, committed by link + fsync.

Nothing is visible under the file id until the data, the header and the directory entry are
durable. On any failure the temporary file is removed; after a crash, ``sweep_incomplete``
removes what is left (temporary names start with a dot and end in ``.part``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from mediastore.crypto.errors import MediaAlreadyExists, MediaStorageFull, MediaWriteFailed
from mediastore.crypto.fileformat import Header
from mediastore.crypto.keyring import Keyring
from mediastore.store.writer import SealingWriter

PART_SUFFIX = ".part"
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (creations, renames, removals) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(file_id: str) -> str:
    """A fresh temporary name for a write of ``file_id``."""
    return f".{file_id}.{secrets.token_hex(8)}{PART_SUFFIX}"


def open_exclusive(path: Path) -> BinaryIO:
    """Create ``path`` (it must not exist), owner read/write only, for buffered writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, "wb")


def write_error(file_id: str, exc: OSError) -> MediaWriteFailed:
    """The typed error for an OS failure while writing ``file_id``."""
    detail = exc.strerror or type(exc).__name__
    if exc.errno in _FULL:
        return MediaStorageFull(file_id=file_id, errno=exc.errno, detail=detail)
    return MediaWriteFailed(file_id=file_id, errno=exc.errno, detail=detail)


Opener = Callable[[Path], BinaryIO]


class StagedWrite:
    """Feed plaintext, then :meth:`commit`; :meth:`abort` (idempotent) on any failure."""

    def __init__(
        self,
        *,
        final: Path,
        file_id: str,
        keyring: Keyring,
        chunk_size: int,
        opener: Opener = open_exclusive,
    ) -> None:
        self.final = final
        self.file_id = file_id
        self.temp = final.parent / temp_name(file_id)
        self._sink: BinaryIO | None = None
        self._done = False
        try:
            self._sink = opener(self.temp)
            self._writer = SealingWriter(
                sink=self._sink, file_id=file_id, keyring=keyring, chunk_size=chunk_size
            )
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise write_error(file_id, exc) from exc
            raise

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Encrypt and write more plaintext."""
        try:
            self._writer.feed(data)
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise write_error(self.file_id, exc) from exc
            raise

    def commit(self) -> Header:
        """Write the header, fsync, link under the final name, fsync the directory."""
        sink = self._sink
        if sink is None or self._done:
            raise MediaWriteFailed(file_id=self.file_id, errno=None, detail="write closed")
        try:
            header = self._writer.finish()
            sink.flush()
            os.fsync(sink.fileno())
            sink.close()
            self._sink = None
            try:
                os.link(self.temp, self.final)
            except FileExistsError:
                raise MediaAlreadyExists(file_id=self.file_id) from None
            self._done = True
            os.unlink(self.temp)
            fsync_dir(self.final.parent)
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise write_error(self.file_id, exc) from exc
            raise
        return header

    def abort(self) -> None:
        """Close and remove the temporary file; the final name is never touched."""
        sink, self._sink = self._sink, None
        if sink is not None:
            with contextlib.suppress(OSError):
                sink.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)
