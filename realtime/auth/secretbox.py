"""Small secrets at rest (TOTP seeds) sealed with AES-256-GCM under a key derived from the
server secret."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBox:
    """Seal and open short strings; each purpose gets its own derived key."""

    def __init__(self, server_secret: str, *, purpose: str) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
        self._aead = AESGCM(hkdf.derive(server_secret.encode("utf-8")))
        self._aad = purpose.encode()

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), self._aad)
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        return self._aead.decrypt(raw[:12], raw[12:], self._aad).decode("utf-8")
