"""Streaming encryption into an open temporary file: one chunk in memory at a time."""

from __future__ import annotations

import dataclasses
import secrets
from typing import BinaryIO

from mediastore.crypto.fileformat import (
    HEADER_BYTES,
    MAX_CHUNK,
    MAX_CHUNKS,
    MIN_CHUNK,
    NONCE_PREFIX_BYTES,
    WRAP_NONCE_BYTES,
    ChunkCipher,
    Header,
    header_mac,
    wrap_data_key,
)
from mediastore.crypto.keyring import KEY_BYTES, Keyring


class ChunkLimitExceeded(ValueError):
    """The stream is longer than 2**32 chunks."""


class SealingWriter:
    """Encrypts a byte stream into ``sink``; the header is written last, by :meth:`finish`."""

    def __init__(self, *, sink: BinaryIO, file_id: str, keyring: Keyring, chunk_size: int) -> None:
        if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
            raise ValueError(f"chunk size must be {MIN_CHUNK}..{MAX_CHUNK}")
        data_key = secrets.token_bytes(KEY_BYTES)
        self._sink = sink
        self._file_id = file_id
        self._chunk_size = chunk_size
        self._prefix = secrets.token_bytes(NONCE_PREFIX_BYTES)
        self._data_key = data_key
        self._slot = wrap_data_key(
            data_key=data_key,
            master_key=keyring.active_key,
            key_id=keyring.active_id,
            file_id=file_id,
            wrap_nonce=secrets.token_bytes(WRAP_NONCE_BYTES),
        )
        self._cipher = ChunkCipher(data_key=data_key, nonce_prefix=self._prefix, file_id=file_id)
        self._pending = bytearray()
        self._index = 0
        self._length = 0
        sink.write(b"\x00" * HEADER_BYTES)

    def _seal(self, plain: bytes | bytearray | memoryview, *, last: bool) -> None:
        if self._index >= MAX_CHUNKS:
            raise ChunkLimitExceeded(self._file_id)
        self._sink.write(self._cipher.seal(self._index, plain, last=last))
        self._index += 1
        self._length += len(plain)

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Add plaintext; full chunks are sealed once it is known they are not the last."""
        view = memoryview(data).cast("B")
        size = self._chunk_size
        pending = self._pending
        if pending:
            room = size - len(pending)
            pending += view[:room]
            view = view[room:]
            if not view:
                return
            self._seal(pending, last=False)
            pending.clear()
        while len(view) > size:
            self._seal(view[:size], last=False)
            view = view[size:]
        pending += view

    def finish(self) -> Header:
        """Seal the last chunk and write the header at offset 0; returns the header."""
        self._seal(self._pending, last=True)
        self._pending.clear()
        header = Header(
            file_id=self._file_id,
            nonce_prefix=self._prefix,
            chunk_size=self._chunk_size,
            length=self._length,
            mac=b"",
            slot=self._slot,
        )
        mac = header_mac(data_key=self._data_key, fixed=header.fixed())
        header = dataclasses.replace(header, mac=mac)
        self._sink.seek(0)
        self._sink.write(header.pack())
        return header
