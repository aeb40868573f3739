"""The backup object format: what is encrypted comes back whole, or fails loudly."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import BinaryIO

import pytest

from realtime.backup.crypto import CHUNK, BackupKey, decrypt_stream, encrypt_stream
from realtime.backup.errors import BackupCorrupted

KEY = BackupKey.from_base64(base64.b64encode(os.urandom(32)).decode())


class _AppendedWhileRead(io.RawIOBase):
    """A journal segment a writer appends to after the backup's first read reached its end."""

    def __init__(self, path: Path, more: bytes) -> None:
        self._file: BinaryIO = path.open("rb")
        self._path = path
        self._more: bytes | None = more

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        if self._more is not None:
            with self._path.open("ab") as writer:
                writer.write(self._more)
            self._more = None
        return data

    def close(self) -> None:
        self._file.close()
        super().close()


@pytest.mark.req("N-REL-2")
def test_a_file_that_grows_while_it_is_encrypted_decrypts_to_what_was_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "seg-000000000002.jnl"
    first = os.urandom(CHUNK // 2)  # the first read stops short at the end of the file
    more = os.urandom(CHUNK)
    path.write_bytes(first)
    sealed = io.BytesIO()
    source = _AppendedWhileRead(path, more)
    encrypt_stream(KEY, "journal/x", source, sealed)  # type: ignore[arg-type]
    source.close()
    sealed.seek(0)
    plain = io.BytesIO()
    decrypt_stream(KEY, "journal/x", sealed, plain)
    assert plain.getvalue() == first + more


@pytest.mark.req("N-REL-2")
@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK])
def test_objects_of_every_size_round_trip(size: int) -> None:
    data = os.urandom(size)
    sealed = io.BytesIO()
    digest = encrypt_stream(KEY, "db/x", io.BytesIO(data), sealed)
    sealed.seek(0)
    plain = io.BytesIO()
    assert decrypt_stream(KEY, "db/x", sealed, plain) == digest
    assert plain.getvalue() == data


@pytest.mark.req("N-REL-2")
def test_a_truncated_object_is_corrupted_not_short() -> None:
    sealed = io.BytesIO()
    encrypt_stream(KEY, "db/x", io.BytesIO(os.urandom(CHUNK + 10)), sealed)
    cut = io.BytesIO(sealed.getvalue()[: -(10 + 16)])
    with pytest.raises(BackupCorrupted):
        decrypt_stream(KEY, "db/x", cut, io.BytesIO())
