"""MediaStore: encrypted files under a root directory, one per id, sharded by a hash prefix."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import AsyncIterable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from mediastore.crypto.errors import MediaAlreadyExists, MediaNotFound
from mediastore.crypto.fileformat import DEFAULT_CHUNK, Header, check_file_id
from mediastore.crypto.keyring import Keyring
from mediastore.store.reader import MediaReader, RangeStream
from mediastore.store.rotation import settle_journal
from mediastore.store.staging import (
    PART_SUFFIX,
    Opener,
    StagedWrite,
    fsync_dir,
    open_exclusive,
    write_error,
)

SUFFIX = ".mdgm"
JOURNAL_SUFFIX = ".rotate"


@dataclass(frozen=True)
class StoredFile:
    """What a committed write produced."""

    file_id: str
    length: int
    chunk_size: int
    key_id: str
    path: Path


@dataclass(frozen=True)
class SweepReport:
    """Leftovers removed at startup."""

    partials_removed: int
    journals_replayed: int
    journals_discarded: int


def _stored(header: Header, path: Path) -> StoredFile:
    return StoredFile(
        file_id=header.file_id,
        length=header.length,
        chunk_size=header.chunk_size,
        key_id=header.slot.key_id,
        path=path,
    )


class MediaStore:
    """Encrypted media files under ``root``; see docs/mediastore.md."""

    def __init__(
        self,
        *,
        root: Path,
        keyring: Keyring,
        chunk_size: int = DEFAULT_CHUNK,
        opener: Opener = open_exclusive,
    ) -> None:
        self.root = root
        self.keyring = keyring
        self.chunk_size = chunk_size
        self._opener = opener

    # -- layout -----------------------------------------------------------------------------

    def path_for(self, file_id: str) -> Path:
        """Where the committed file for ``file_id`` lives (whether or not it exists)."""
        check_file_id(file_id)
        shard = hashlib.sha256(file_id.encode("ascii")).hexdigest()[:2]
        return self.root / shard / f"{file_id}{SUFFIX}"

    def journal_for(self, file_id: str) -> Path:
        """The key-rotation journal of ``file_id``."""
        path = self.path_for(file_id)
        return path.parent / f".{file_id}{JOURNAL_SUFFIX}"

    def _shards(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for entry in sorted(self.root.iterdir()):
            if entry.is_dir() and len(entry.name) == 2:
                yield entry

    def list_ids(self) -> list[str]:
        """Ids of all committed files, sorted."""
        ids: list[str] = []
        for shard in self._shards():
            for entry in shard.iterdir():
                name = entry.name
                if name.endswith(SUFFIX) and not name.startswith("."):
                    ids.append(name[: -len(SUFFIX)])
        return sorted(ids)

    def exists(self, *, file_id: str) -> bool:
        """Whether a committed file exists under ``file_id``."""
        return self.path_for(file_id).exists()

    def _shard_dir(self, file_id: str) -> Path:
        final = self.path_for(file_id)
        if not final.parent.is_dir():
            final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fsync_dir(final.parent.parent)
        return final.parent

    # -- writing ----------------------------------------------------------------------------

    def _stage(self, file_id: str) -> StagedWrite:
        final = self.path_for(file_id)
        if final.exists():
            raise MediaAlreadyExists(file_id=file_id)
        try:
            self._shard_dir(file_id)
        except OSError as exc:
            raise write_error(file_id, exc) from exc
        return StagedWrite(
            final=final,
            file_id=file_id,
            keyring=self.keyring,
            chunk_size=self.chunk_size,
            opener=self._opener,
        )

    def write(self, *, file_id: str, chunks: Iterable[bytes]) -> StoredFile:
        """Encrypt a stream of byte blocks under ``file_id``; visible only once complete."""
        staged = self._stage(file_id)
        try:
            for block in chunks:
                staged.feed(block)
        except BaseException:
            staged.abort()
            raise
        return _stored(staged.commit(), staged.final)

    async def write_async(self, *, file_id: str, chunks: AsyncIterable[bytes]) -> StoredFile:
        """Like :meth:`write` for an async source; the fsync and link run in a worker thread."""
        staged = self._stage(file_id)
        try:
            async for block in chunks:
                staged.feed(block)
        except BaseException:
            staged.abort()
            raise
        header = await anyio.to_thread.run_sync(staged.commit)
        return _stored(header, staged.final)

    def write_file(self, *, file_id: str, source: Path, block_size: int = 1 << 20) -> StoredFile:
        """Encrypt a plaintext file (e.g. a finished FreeSWITCH recording) block by block."""
        with source.open("rb") as handle:
            return self.write(file_id=file_id, chunks=iter(lambda: handle.read(block_size), b""))

    # -- reading ----------------------------------------------------------------------------

    def open(self, *, file_id: str, retry_header: bool = True) -> MediaReader:
        """Open and authenticate the header of ``file_id``; the caller closes the reader."""
        path = self.path_for(file_id)
        try:
            return MediaReader(
                path=path, file_id=file_id, keyring=self.keyring, retry_header=retry_header
            )
        except FileNotFoundError:
            raise MediaNotFound(file_id=file_id) from None

    def info(self, *, file_id: str) -> StoredFile:
        """Length, chunk size and master key id of a stored file (header verified)."""
        with self.open(file_id=file_id) as reader:
            return _stored(reader.header, self.path_for(file_id))

    def open_range(self, *, file_id: str, start: int, end: int) -> RangeStream:
        """Plaintext bytes ``start`` to ``end`` (exclusive), decrypting only the chunks needed.

        Raises at once (before any byte) for a missing file, key, bad header or range.
        """
        reader = self.open(file_id=file_id)
        try:
            return RangeStream(reader, start=start, end=end)
        except BaseException:
            reader.close()
            raise

    def read_all(self, *, file_id: str) -> RangeStream:
        """The whole plaintext as a stream of chunks."""
        reader = self.open(file_id=file_id)
        return RangeStream(reader, start=0, end=reader.length)

    def delete(self, *, file_id: str) -> bool:
        """Remove a stored file; False if there was none."""
        path = self.path_for(file_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        fsync_dir(path.parent)
        return True

    # -- recovery ---------------------------------------------------------------------------

    def sweep_incomplete(self, *, min_age_seconds: float = 0.0) -> SweepReport:
        """Remove temporary files of interrupted writes and settle interrupted key rotations.

        Run at startup, before writers start (or with ``min_age_seconds`` above the longest
        write while others are running).
        """
        now = time.time()
        removed = replayed = discarded = 0
        for shard in self._shards():
            for entry in shard.iterdir():
                name = entry.name
                if name.startswith(".") and name.endswith(PART_SUFFIX):
                    with contextlib.suppress(FileNotFoundError):
                        if now - entry.stat().st_mtime >= min_age_seconds:
                            entry.unlink()
                            removed += 1
                elif name.startswith(".") and name.endswith(JOURNAL_SUFFIX):
                    file_id = name[1 : -len(JOURNAL_SUFFIX)]
                    if settle_journal(self, file_id=file_id):
                        replayed += 1
                    else:
                        discarded += 1
            fsync_dir(shard)
        return SweepReport(
            partials_removed=removed, journals_replayed=replayed, journals_discarded=discarded
        )
