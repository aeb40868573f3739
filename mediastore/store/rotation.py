"""Key rotation: rewrap each file's data key under the active master key, header only.

Per file: read and authenticate the header with the old master key, wrap the same data key
under the active key, write the new key slot to a journal (``.<id>.rotate``, with a SHA-256
checksum) and fsync it, overwrite the slot in place and fsync, then remove the journal. A crash
at any point leaves either the old slot (journal absent or incomplete: discarded) or a complete
journal that :func:`settle_journal` re-applies; applying it twice is harmless. The chunks are
never rewritten. Running the rotation again skips files already under the active key.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from mediastore.crypto.errors import MediaKeyMissing, MediaTampered
from mediastore.crypto.fileformat import (
    SLOT_BYTES,
    SLOT_OFFSET,
    WRAP_NONCE_BYTES,
    KeySlot,
    wrap_data_key,
)
from mediastore.store.reader import open_data_key, read_header
from mediastore.store.staging import fsync_dir

if TYPE_CHECKING:
    from mediastore.store.store import MediaStore

JOURNAL_MAGIC = b"MDGMROT1"
_JOURNAL_BYTES = len(JOURNAL_MAGIC) + SLOT_BYTES + 32


class Outcome(StrEnum):
    """What happened to one file."""

    ROTATED = "rotated"
    CURRENT = "current"
    UNKNOWN_KEY = "unknown-key"
    TAMPERED = "tampered"
    VANISHED = "vanished"


@dataclass
class RotationReport:
    """Counts and the files that could not be rewrapped (they are left exactly as they were)."""

    active_key_id: str
    rotated: int = 0
    current: int = 0
    journals_replayed: int = 0
    unknown_key: dict[str, str] = field(default_factory=dict)
    tampered: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.unknown_key and not self.tampered

    def as_dict(self) -> dict[str, object]:
        return {
            "active_key_id": self.active_key_id,
            "rotated": self.rotated,
            "already_current": self.current,
            "journals_replayed": self.journals_replayed,
            "unknown_key": self.unknown_key,
            "tampered": self.tampered,
            "seconds": round(self.seconds, 3),
        }


def _journal_bytes(slot: bytes) -> bytes:
    body = JOURNAL_MAGIC + slot
    return body + hashlib.sha256(body).digest()


def _journal_slot(raw: bytes) -> bytes | None:
    if len(raw) != _JOURNAL_BYTES or not raw.startswith(JOURNAL_MAGIC):
        return None
    body, digest = raw[:-32], raw[-32:]
    if hashlib.sha256(body).digest() != digest:
        return None
    return body[len(JOURNAL_MAGIC) :]


def _write_slot(path: Path, slot: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.pwrite(fd, slot, SLOT_OFFSET)
        os.fsync(fd)
    finally:
        os.close(fd)


def settle_journal(store: MediaStore, *, file_id: str) -> bool:
    """Finish (True) or discard (False) the rotation journal of ``file_id``."""
    journal = store.journal_for(file_id)
    try:
        slot = _journal_slot(journal.read_bytes())
    except FileNotFoundError:
        return False
    target = store.path_for(file_id)
    applied = False
    if slot is not None and target.exists():
        _write_slot(target, slot)
        applied = True
    with contextlib.suppress(FileNotFoundError):
        journal.unlink()
    fsync_dir(journal.parent)
    return applied


def rewrap(store: MediaStore, *, file_id: str) -> Outcome:
    """Rewrap one file's data key under the store keyring's active master key."""
    keyring = store.keyring
    path = store.path_for(file_id)
    if store.journal_for(file_id).exists():
        settle_journal(store, file_id=file_id)
    try:
        with path.open("rb") as handle:
            header = read_header(handle, file_id=file_id)
    except FileNotFoundError:
        return Outcome.VANISHED
    if header.slot.key_id == keyring.active_id:
        open_data_key(header, keyring=keyring)
        return Outcome.CURRENT
    data_key = open_data_key(header, keyring=keyring)
    slot: KeySlot = wrap_data_key(
        data_key=data_key,
        master_key=keyring.active_key,
        key_id=keyring.active_id,
        file_id=file_id,
        wrap_nonce=secrets.token_bytes(WRAP_NONCE_BYTES),
    )
    packed = slot.pack()
    journal = store.journal_for(file_id)
    fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, _journal_bytes(packed))
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(journal.parent)
    _write_slot(path, packed)
    journal.unlink()
    return Outcome.ROTATED


def rotate_all(
    store: MediaStore, *, progress: Callable[[str, Outcome], None] | None = None
) -> RotationReport:
    """Rewrap every stored file; resumable and idempotent. Problem files are reported."""
    started = time.perf_counter()
    report = RotationReport(active_key_id=store.keyring.active_id)
    report.journals_replayed = store.sweep_incomplete(
        min_age_seconds=float("inf")
    ).journals_replayed
    for file_id in store.list_ids():
        try:
            outcome = rewrap(store, file_id=file_id)
        except MediaKeyMissing as exc:
            outcome = Outcome.UNKNOWN_KEY
            report.unknown_key[file_id] = exc.key_id
        except MediaTampered as exc:
            outcome = Outcome.TAMPERED
            report.tampered[file_id] = exc.reason
        if outcome is Outcome.ROTATED:
            report.rotated += 1
        elif outcome is Outcome.CURRENT:
            report.current += 1
        if progress is not None:
            progress(file_id, outcome)
    report.seconds = time.perf_counter() - started
    return report
