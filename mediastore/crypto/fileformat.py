"""The on-disk format of an encrypted media file, version 1 (byte layout in docs/mediastore.md).

A file is a fixed 221-byte header followed by chunks. Each chunk is AES-256-GCM under the
file's own random data key; the nonce is the file's 8-byte prefix plus the chunk index, and the
associated data binds the file id, the chunk index and an is-last flag, so reordering, swapping
between files, truncation and appending all fail authentication. The header's fixed part is
authenticated by an HMAC keyed from the data key; the key slot (master key id, wrap nonce,
wrapped data key) is authenticated by its own AES-GCM wrap, whose associated data binds the file
id and master key id. Key rotation rewrites only the key slot.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mediastore.crypto.errors import MediaInvalidId, MediaTampered
from mediastore.crypto.keyring import KEY_BYTES, KEY_ID_MAX, KEY_ID_RE

MAGIC = b"MDGMEDIA"
VERSION = 1
FILE_ID_MAX = 64
FILE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
NONCE_PREFIX_BYTES = 8
TAG_BYTES = 16
WRAP_NONCE_BYTES = 12
WRAPPED_KEY_BYTES = KEY_BYTES + TAG_BYTES
MAC_BYTES = 32
MIN_CHUNK = 16
MAX_CHUNK = 16 * 1024 * 1024
DEFAULT_CHUNK = 64 * 1024
MAX_CHUNKS = 2**32

# magic, version, header length, file id length, file id, nonce prefix, chunk size, length
_FIXED = struct.Struct(f">8sHHB{FILE_ID_MAX}s{NONCE_PREFIX_BYTES}sIQ")
# master key id, wrap nonce, wrapped data key
_SLOT = struct.Struct(f">{KEY_ID_MAX}s{WRAP_NONCE_BYTES}s{WRAPPED_KEY_BYTES}s")
FIXED_BYTES = _FIXED.size  # 97
SLOT_OFFSET = FIXED_BYTES + MAC_BYTES  # 129
SLOT_BYTES = _SLOT.size  # 92
HEADER_BYTES = SLOT_OFFSET + SLOT_BYTES  # 221

_WRAP_LABEL = b"MDGM-KEY-WRAP-v1\x00"
_CHUNK_LABEL = b"MDGM-CHUNK-v1\x00"
_MAC_LABEL = b"MDGM-HEADER-MAC-v1\x00"


def check_file_id(file_id: str) -> str:
    """Return the id if it is 1-64 characters of A-Z a-z 0-9 . _ - starting alphanumeric."""
    if not FILE_ID_RE.match(file_id):
        raise MediaInvalidId(file_id=file_id)
    return file_id


def _pad(text: str, size: int) -> bytes:
    return text.encode("ascii").ljust(size, b"\x00")


def _unpad(raw: bytes) -> str:
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")


@dataclass(frozen=True)
class KeySlot:
    """The part of the header key rotation rewrites."""

    key_id: str
    wrap_nonce: bytes
    wrapped_key: bytes

    def pack(self) -> bytes:
        return _SLOT.pack(_pad(self.key_id, KEY_ID_MAX), self.wrap_nonce, self.wrapped_key)

    @classmethod
    def unpack(cls, raw: bytes, *, file_id: str) -> KeySlot:
        key_raw, nonce, wrapped = _SLOT.unpack(raw)
        key_id = _unpad(key_raw)
        if not KEY_ID_RE.match(key_id) or key_raw[len(key_id) :].strip(b"\x00"):
            raise MediaTampered(file_id=file_id, reason="malformed master key id")
        return cls(key_id=key_id, wrap_nonce=nonce, wrapped_key=wrapped)


def _wrap_aad(file_id: str, key_id: str) -> bytes:
    return _WRAP_LABEL + _pad(file_id, FILE_ID_MAX) + _pad(key_id, KEY_ID_MAX)


def wrap_data_key(
    *, data_key: bytes, master_key: bytes, key_id: str, file_id: str, wrap_nonce: bytes
) -> KeySlot:
    """Seal the data key under a master key (AES-256-GCM bound to file id and key id)."""
    wrapped = AESGCM(master_key).encrypt(wrap_nonce, data_key, _wrap_aad(file_id, key_id))
    return KeySlot(key_id=key_id, wrap_nonce=wrap_nonce, wrapped_key=wrapped)


def unwrap_data_key(*, slot: KeySlot, master_key: bytes, file_id: str) -> bytes:
    """Open the key slot; a wrong key or any edit raises :class:`MediaTampered`."""
    try:
        return AESGCM(master_key).decrypt(
            slot.wrap_nonce, slot.wrapped_key, _wrap_aad(file_id, slot.key_id)
        )
    except InvalidTag:
        raise MediaTampered(file_id=file_id, reason="data key does not unwrap") from None


@dataclass(frozen=True)
class Header:
    """A parsed file header (the fixed part, its MAC, and the key slot)."""

    file_id: str
    nonce_prefix: bytes
    chunk_size: int
    length: int
    mac: bytes
    slot: KeySlot

    def fixed(self) -> bytes:
        return _FIXED.pack(
            MAGIC,
            VERSION,
            HEADER_BYTES,
            len(self.file_id),
            _pad(self.file_id, FILE_ID_MAX),
            self.nonce_prefix,
            self.chunk_size,
            self.length,
        )

    def pack(self) -> bytes:
        return self.fixed() + self.mac + self.slot.pack()

    @property
    def chunk_count(self) -> int:
        return chunk_count(self.length, self.chunk_size)

    @property
    def file_size(self) -> int:
        """The exact size on disk this header implies."""
        return HEADER_BYTES + self.length + self.chunk_count * TAG_BYTES

    def chunk_span(self, index: int) -> tuple[int, int]:
        """(offset in the file, plaintext bytes) of chunk ``index``."""
        plain = min(self.chunk_size, self.length - index * self.chunk_size)
        return HEADER_BYTES + index * (self.chunk_size + TAG_BYTES), plain


def chunk_count(length: int, chunk_size: int) -> int:
    """Chunks of a plaintext of this length; an empty file still has one (empty, last) chunk."""
    return max(1, -(-length // chunk_size))


def header_mac(*, data_key: bytes, fixed: bytes) -> bytes:
    """HMAC-SHA256 of the fixed header part under a key derived from the data key."""
    mac_key = hmac.new(data_key, _MAC_LABEL, hashlib.sha256).digest()
    return hmac.new(mac_key, fixed, hashlib.sha256).digest()


def parse_header(raw: bytes, *, file_id: str) -> Header:
    """Parse and sanity-check a header read from the file stored under ``file_id``."""
    if len(raw) < HEADER_BYTES:
        raise MediaTampered(file_id=file_id, reason="shorter than a header")
    magic, version, header_bytes, id_len, id_raw, prefix, chunk_size, length = _FIXED.unpack(
        raw[:FIXED_BYTES]
    )
    if magic != MAGIC:
        raise MediaTampered(file_id=file_id, reason="not a media store file")
    if version != VERSION or header_bytes != HEADER_BYTES:
        raise MediaTampered(file_id=file_id, reason=f"unsupported version {version}")
    stored_id = id_raw[:id_len].decode("ascii", errors="replace")
    if id_len > FILE_ID_MAX or id_raw[id_len:].strip(b"\x00") or stored_id != file_id:
        raise MediaTampered(file_id=file_id, reason="file id in header does not match")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK or chunk_count(length, chunk_size) > MAX_CHUNKS:
        raise MediaTampered(file_id=file_id, reason="chunk size or length out of range")
    return Header(
        file_id=file_id,
        nonce_prefix=prefix,
        chunk_size=chunk_size,
        length=length,
        mac=raw[FIXED_BYTES:SLOT_OFFSET],
        slot=KeySlot.unpack(raw[SLOT_OFFSET:HEADER_BYTES], file_id=file_id),
    )


def verify_header(header: Header, *, data_key: bytes) -> None:
    """Check the header MAC; any edit of the fixed part raises :class:`MediaTampered`."""
    expected = header_mac(data_key=data_key, fixed=header.fixed())
    if not hmac.compare_digest(expected, header.mac):
        raise MediaTampered(file_id=header.file_id, reason="header MAC mismatch")


class ChunkCipher:
    """Seals and opens the chunks of one file."""

    def __init__(self, *, data_key: bytes, nonce_prefix: bytes, file_id: str) -> None:
        self._aead = AESGCM(data_key)
        self._prefix = nonce_prefix
        self._file_id = file_id
        self._aad_base = _CHUNK_LABEL + _pad(file_id, FILE_ID_MAX)

    def _nonce(self, index: int) -> bytes:
        return self._prefix + index.to_bytes(4, "big")

    def _aad(self, index: int, last: bool) -> bytes:
        return self._aad_base + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")

    def seal(self, index: int, plain: bytes | bytearray | memoryview, *, last: bool) -> bytes:
        """Ciphertext and tag of chunk ``index``."""
        return self._aead.encrypt(self._nonce(index), bytes(plain), self._aad(index, last))

    def open(self, index: int, sealed: bytes, *, last: bool) -> bytes:
        """Plaintext of chunk ``index``, or :class:`MediaTampered` (never unverified bytes)."""
        try:
            return self._aead.decrypt(self._nonce(index), sealed, self._aad(index, last))
        except InvalidTag:
            raise MediaTampered(
                file_id=self._file_id, reason=f"chunk {index} fails authentication"
            ) from None
