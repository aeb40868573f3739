"""Encrypted objects on a target: put a local file or bytes, get them back authenticated."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import BinaryIO

from realtime.backup.crypto import BackupKey, decrypt_stream, encrypt_stream
from realtime.backup.errors import BackupCorrupted
from realtime.backup.target import Target


def put_file(target: Target, key: BackupKey, name: str, source: Path) -> tuple[str, int]:
    """Encrypt a local file into the target; returns (plaintext SHA-256, stored bytes)."""
    digest: list[str] = []

    def write(out: BinaryIO) -> None:
        with source.open("rb") as src:
            digest.append(encrypt_stream(key, name, src, out))

    size = target.put(name, write)
    return digest[0], size


def put_bytes(target: Target, key: BackupKey, name: str, data: bytes) -> str:
    """Encrypt bytes into the target; returns the plaintext SHA-256."""
    digest: list[str] = []
    target.put(name, lambda out: digest.append(encrypt_stream(key, name, io.BytesIO(data), out)))
    return digest[0]


def get_file(
    target: Target, key: BackupKey, name: str, dest: Path, *, sha256: str | None = None
) -> str:
    """Decrypt an object into ``dest`` (removed again on any failure); checks the hash if given."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open(name) as src, dest.open("wb") as out:
            digest = decrypt_stream(key, name, src, out)
        if sha256 is not None and digest != sha256:
            raise BackupCorrupted(object=name, reason="checksum differs from the manifest")
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return digest


def get_bytes(target: Target, key: BackupKey, name: str) -> bytes:
    """Decrypt a small object into memory."""
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as out:
        with target.open(name) as src:
            decrypt_stream(key, name, src, out)  # type: ignore[arg-type]
        out.seek(0)
        data: bytes = out.read()
        return data
