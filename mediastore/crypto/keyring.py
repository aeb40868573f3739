"""Master keys: an id -> 32-byte AES-256 key map with one active key for new files.

Settings (see docs/mediastore.md):

* ``MADOGUCHI_MEDIA_MASTER_KEY``: base64 of 32 random bytes. Its id is a fingerprint,
  ``fp-`` + 12 hex digits of SHA-256 over a label and the key.
* ``MADOGUCHI_MEDIA_MASTER_KEYS``: ``id1:base64,id2:base64``; the first is active. When both
  are set, the single key joins the ring as a decrypt-only key (unless the same bytes are there).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mediastore.crypto.errors import MediaKeyConfigInvalid, MediaKeyMissing

KEY_BYTES = 32
KEY_ID_MAX = 32
KEY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
SINGLE_SETTING = "MADOGUCHI_MEDIA_MASTER_KEY"
RING_SETTING = "MADOGUCHI_MEDIA_MASTER_KEYS"
DEV_KEY_FILE = ".dev-media-master-key"


def fingerprint_id(key: bytes) -> str:
    """The id of a key given without one: ``fp-`` and 12 hex digits of a labelled SHA-256."""
    return "fp-" + hashlib.sha256(b"madoguchi-media-master-key-id\x00" + key).hexdigest()[:12]


@dataclass(frozen=True)
class Keyring:
    """Master keys by id; ``active_id`` wraps the data keys of new files and rotations."""

    keys: Mapping[str, bytes] = field(repr=False)
    active_id: str

    def __post_init__(self) -> None:
        if self.active_id not in self.keys:
            raise MediaKeyConfigInvalid(setting="keyring", problem="active key id not in ring")
        for key_id, key in self.keys.items():
            if not KEY_ID_RE.match(key_id):
                raise MediaKeyConfigInvalid(setting="keyring", problem=f"bad key id {key_id!r}")
            if len(key) != KEY_BYTES:
                raise MediaKeyConfigInvalid(
                    setting="keyring", problem=f"key {key_id!r} is not {KEY_BYTES} bytes"
                )

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_id]

    def key(self, key_id: str, *, file_id: str | None = None) -> bytes:
        """The master key with this id, or :class:`MediaKeyMissing`."""
        try:
            return self.keys[key_id]
        except KeyError:
            raise MediaKeyMissing(key_id=key_id, file_id=file_id) from None

    def ids(self) -> list[str]:
        """Key ids, the active one first."""
        return [self.active_id] + [k for k in self.keys if k != self.active_id]


def _decode_key(setting: str, label: str, text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MediaKeyConfigInvalid(setting=setting, problem=f"{label}: not base64") from None
    if len(raw) != KEY_BYTES:
        raise MediaKeyConfigInvalid(
            setting=setting, problem=f"{label}: decodes to {len(raw)} bytes, need {KEY_BYTES}"
        )
    return raw


def parse_keyring(*, single: str | None, ring: str | None) -> Keyring | None:
    """Build the keyring from the two settings' text; None when neither is set."""
    keys: dict[str, bytes] = {}
    active: str | None = None
    if ring and ring.strip():
        for position, item in enumerate(ring.split(","), start=1):
            item = item.strip()
            if not item:
                continue
            key_id, sep, encoded = item.partition(":")
            key_id = key_id.strip()
            if not sep or not KEY_ID_RE.match(key_id):
                raise MediaKeyConfigInvalid(
                    setting=RING_SETTING,
                    problem=f"entry {position}: expected id:base64 with id of "
                    f"1-{KEY_ID_MAX} characters A-Z a-z 0-9 . _ -",
                )
            if key_id in keys:
                raise MediaKeyConfigInvalid(
                    setting=RING_SETTING, problem=f"duplicate key id {key_id!r}"
                )
            keys[key_id] = _decode_key(RING_SETTING, f"key {key_id!r}", encoded)
            active = active or key_id
        if active is None:
            raise MediaKeyConfigInvalid(setting=RING_SETTING, problem="no keys")
    if single and single.strip():
        key = _decode_key(SINGLE_SETTING, "key", single)
        if key not in keys.values():
            key_id = fingerprint_id(key)
            keys.setdefault(key_id, key)
            active = active or key_id
    if active is None:
        return None
    return Keyring(keys=keys, active_id=active)


def development_keyring(data_dir: Path) -> Keyring:
    """A per-installation key in the data folder, for development mode only."""
    path = data_dir / DEV_KEY_FILE
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        text = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
        path.write_text(text, encoding="ascii")
        path.chmod(0o600)
    ring = parse_keyring(single=text, ring=None)
    if ring is None:
        raise MediaKeyConfigInvalid(setting=str(path), problem="empty key file")
    return ring
