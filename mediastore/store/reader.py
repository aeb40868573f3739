"""Authenticated random access to one stored file: only the chunks covering a range are read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from mediastore.crypto.errors import MediaRangeNotSatisfiable, MediaTampered
from mediastore.crypto.fileformat import (
    HEADER_BYTES,
    TAG_BYTES,
    ChunkCipher,
    Header,
    parse_header,
    unwrap_data_key,
    verify_header,
)
from mediastore.crypto.keyring import Keyring


def read_header(handle: BinaryIO, *, file_id: str) -> Header:
    """Read and parse the header at offset 0 of an open file."""
    handle.seek(0)
    return parse_header(handle.read(HEADER_BYTES), file_id=file_id)


def open_data_key(header: Header, *, keyring: Keyring) -> bytes:
    """Unwrap the data key and check the header MAC with it."""
    master = keyring.key(header.slot.key_id, file_id=header.file_id)
    data_key = unwrap_data_key(slot=header.slot, master_key=master, file_id=header.file_id)
    verify_header(header, data_key=data_key)
    return data_key


def check_range(*, start: int, end: int, length: int) -> None:
    """Accept ``0 <= start <= end <= length`` (end exclusive); else a 416-style error."""
    if not 0 <= start <= end <= length:
        raise MediaRangeNotSatisfiable(start=start, end=end, length=length)


class MediaReader:
    """An open, header-verified media file. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self, *, path: Path, file_id: str, keyring: Keyring, retry_header: bool = False
    ) -> None:
        handle: BinaryIO = path.open("rb", buffering=0)
        try:
            header = read_header(handle, file_id=file_id)
            try:
                data_key = open_data_key(header, keyring=keyring)
            except MediaTampered:
                if not retry_header:
                    raise
                # A key rotation may have been rewriting the key slot while we read it.
                header = read_header(handle, file_id=file_id)
                data_key = open_data_key(header, keyring=keyring)
            size = os.fstat(handle.fileno()).st_size
            if size != header.file_size:
                reason = "truncated" if size < header.file_size else "bytes appended"
                raise MediaTampered(file_id=file_id, reason=reason)
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        self._cipher = ChunkCipher(
            data_key=data_key, nonce_prefix=header.nonce_prefix, file_id=file_id
        )
        self.header = header
        self.file_id = file_id

    @property
    def length(self) -> int:
        """Plaintext bytes."""
        return self.header.length

    @property
    def key_id(self) -> str:
        return self.header.slot.key_id

    def read_chunk(self, index: int) -> bytes:
        """Authenticated plaintext of one chunk."""
        header = self.header
        offset, plain = header.chunk_span(index)
        want = plain + TAG_BYTES
        self._handle.seek(offset)
        sealed = self._handle.read(want)
        if len(sealed) != want:
            raise MediaTampered(file_id=self.file_id, reason=f"chunk {index} is short")
        return self._cipher.open(index, sealed, last=index == header.chunk_count - 1)

    def iter_range(self, *, start: int, end: int) -> Iterator[bytes]:
        """Plaintext of bytes ``start`` up to (not including) ``end``, chunk by chunk."""
        check_range(start=start, end=end, length=self.length)
        if start == end:
            return
        size = self.header.chunk_size
        for index in range(start // size, (end - 1) // size + 1):
            plain = self.read_chunk(index)
            base = index * size
            lo = max(start - base, 0)
            hi = min(end - base, len(plain))
            yield plain if lo == 0 and hi == len(plain) else plain[lo:hi]

    def verify_all_chunks(self) -> None:
        """Authenticate every chunk, discarding the plaintext."""
        for index in range(self.header.chunk_count):
            self.read_chunk(index)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> MediaReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RangeStream:
    """The plaintext of a validated range; iterate once. Closes the file when done or closed."""

    def __init__(self, reader: MediaReader, *, start: int, end: int) -> None:
        check_range(start=start, end=end, length=reader.length)
        self._reader = reader
        self.start = start
        self.end = end
        self.length = reader.length

    @property
    def size(self) -> int:
        """Bytes this stream yields."""
        return self.end - self.start

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._reader.iter_range(start=self.start, end=self.end)
        finally:
            self._reader.close()

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> RangeStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
