"""Streaming AES-256-GCM for backup objects (one chunk in memory at a time).

Layout: a 54-byte header (magic ``MDGBKUP1``, version, key fingerprint, salt, nonce prefix, chunk
size) and chunks of ciphertext plus a 16-byte tag. The object key is HKDF-SHA256 of the backup key
with the object's random salt and its name, so an object copied under another name fails. Each
chunk's associated data is the header, the chunk index and an is-last flag: edits, reordering,
truncation and appended bytes all fail authentication.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from realtime.backup.errors import BackupCorrupted, BackupKeyMismatch, BackupNotConfigured

MAGIC = b"MDGBKUP1"
VERSION = 1
KEY_BYTES = 32
CHUNK = 1024 * 1024
TAG = 16
_HEADER = struct.Struct(">8sH16s16s8sI")
HEADER_BYTES = _HEADER.size


@dataclass(frozen=True)
class BackupKey:
    """The 256-bit key every backup object is encrypted under."""

    key: bytes

    @classmethod
    def from_base64(cls, text: str) -> BackupKey:
        """Parse MADOGUCHI_BACKUP_KEY (base64 of 32 random bytes)."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BackupNotConfigured(reason="MADOGUCHI_BACKUP_KEY is not base64") from exc
        if len(raw) != KEY_BYTES:
            raise BackupNotConfigured(reason="MADOGUCHI_BACKUP_KEY must be 32 bytes")
        return cls(raw)

    @property
    def fingerprint(self) -> bytes:
        return hashlib.sha256(b"madoguchi-backup-key-id\0" + self.key).digest()[:16]

    def object_key(self, salt: bytes, name: str) -> bytes:
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=salt,
            info=b"madoguchi-backup-object-v1\0" + name.encode("utf-8"),
        )
        return hkdf.derive(self.key)


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if last else 0)


def _chunks(source: BinaryIO, size: int) -> Iterator[tuple[bytes, bool]]:
    """Full-size chunks and a final short one, flagged as it is produced.

    The source may be a file still being appended to (a live journal segment): a read can stop
    short at the end of the file and the next one find more, so chunks are cut from a buffer,
    never taken as read. Decryption reads fixed-size blocks, so only the last chunk may be short.
    """
    pending = bytearray()
    while True:
        data = source.read(size)
        pending += data
        while len(pending) > size:  # keep one chunk back: it is the last if the file ends here
            yield bytes(pending[:size]), False
            del pending[:size]
        if not data:
            yield bytes(pending), True
            return


def encrypt_stream(key: BackupKey, name: str, source: BinaryIO, sink: BinaryIO) -> str:
    """Encrypt ``source`` into ``sink``; return the SHA-256 of the plaintext."""
    salt = os.urandom(16)
    prefix = os.urandom(8)
    header = _HEADER.pack(MAGIC, VERSION, key.fingerprint, salt, prefix, CHUNK)
    aead = AESGCM(key.object_key(salt, name))
    digest = hashlib.sha256()
    sink.write(header)
    for index, (chunk, last) in enumerate(_chunks(source, CHUNK)):
        digest.update(chunk)
        nonce = prefix + struct.pack(">I", index)
        sink.write(aead.encrypt(nonce, chunk, _aad(header, index, last)))
    return digest.hexdigest()


def decrypt_stream(key: BackupKey, name: str, source: BinaryIO, sink: BinaryIO) -> str:
    """Decrypt and authenticate ``source`` into ``sink``; return the plaintext's SHA-256."""
    header = source.read(HEADER_BYTES)
    if len(header) != HEADER_BYTES:
        raise BackupCorrupted(object=name, reason="header truncated")
    magic, version, fingerprint, salt, prefix, chunk_size = _HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 16 <= chunk_size <= 64 * CHUNK:
        raise BackupCorrupted(object=name, reason="not a backup object")
    if fingerprint != key.fingerprint:
        raise BackupKeyMismatch(object=name)
    aead = AESGCM(key.object_key(salt, name))
    digest = hashlib.sha256()
    index = 0
    finished = False
    while True:
        block = source.read(chunk_size + TAG)
        if not block:
            break
        if finished:
            raise BackupCorrupted(object=name, reason="data after the last chunk")
        nonce = prefix + struct.pack(">I", index)
        try:
            plain = aead.decrypt(nonce, block, _aad(header, index, True))
            finished = True
        except InvalidTag:
            try:
                plain = aead.decrypt(nonce, block, _aad(header, index, False))
            except InvalidTag as exc:
                raise BackupCorrupted(object=name, chunk=index, reason="tag mismatch") from exc
        digest.update(plain)
        sink.write(plain)
        index += 1
    if not finished:
        raise BackupCorrupted(object=name, reason="truncated (no last chunk)")
    return digest.hexdigest()


def encrypt_file(key: BackupKey, name: str, source: Path, dest: Path) -> str:
    """Encrypt one file into another (the caller places ``dest`` atomically)."""
    with source.open("rb") as src, dest.open("wb") as out:
        plain_hash = encrypt_stream(key, name, src, out)
        out.flush()
        os.fsync(out.fileno())
    return plain_hash


def decrypt_file(key: BackupKey, name: str, source: Path, dest: Path) -> str:
    """Decrypt one file into another; a failure removes the partial output."""
    try:
        with source.open("rb") as src, dest.open("wb") as out:
            return decrypt_stream(key, name, src, out)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
