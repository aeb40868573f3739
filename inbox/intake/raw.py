"""Keeping each raw message encrypted at rest in the media store, under an id derived from its
mailbox, UIDVALIDITY and UID (so a re-fetch after a crash finds what was already written)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from mediastore.crypto.errors import MediaAlreadyExists
from mediastore.store.store import MediaStore

BLOCK = 1 << 20


def raw_file_id(*, mailbox: str, uidvalidity: int, uid: int) -> str:
    """The media id of one IMAP message (at most 64 characters)."""
    return f"mail-{mailbox}-{uidvalidity}-{uid}"


def _blocks(raw: bytes) -> Iterator[bytes]:
    view = memoryview(raw)
    for start in range(0, len(view), BLOCK):
        yield bytes(view[start : start + BLOCK])


def _stored_digest(store: MediaStore, file_id: str) -> str:
    digest = hashlib.sha256()
    with store.read_all(file_id=file_id) as stream:
        for block in stream:
            digest.update(block)
    return digest.hexdigest()


def keep_raw(store: MediaStore, *, file_id: str, raw: bytes, sha256: str) -> str:
    """Encrypt ``raw`` under ``file_id``; returns the id it is stored under.

    A file already there from an interrupted run is reused when its content is the same; a
    different content (never expected) is kept beside it under a suffixed id, never overwritten.
    """
    try:
        store.write(file_id=file_id, chunks=_blocks(raw))
        return file_id
    except MediaAlreadyExists:
        if _stored_digest(store, file_id) == sha256:
            return file_id
    other = f"{file_id}-{sha256[:12]}"
    try:
        store.write(file_id=other, chunks=_blocks(raw))
    except MediaAlreadyExists:
        if _stored_digest(store, other) != sha256:
            raise
    return other
