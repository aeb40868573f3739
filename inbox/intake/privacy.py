"""Sealing the personal data kept in the inbox tables (sender address, parsed mail)."""

from __future__ import annotations

import hashlib

from realtime.auth.secretbox import SecretBox

PURPOSE = "inbox-personal-data"


def inbox_box(server_secret: str) -> SecretBox:
    """The box that seals inbox personal data under a key derived from the server secret."""
    return SecretBox(server_secret, purpose=PURPOSE)


def message_id_hash(message_id: str | None) -> str | None:
    """A stable digest of a Message-ID for duplicate checks (the id itself stays sealed)."""
    if not message_id:
        return None
    normalised = message_id.strip().strip("<>").strip().lower()
    if not normalised:
        return None
    return hashlib.sha256(normalised.encode("utf-8", "surrogateescape")).hexdigest()


def sender_domain(address: str) -> str:
    """The domain part of an address, lower case ('' when there is none)."""
    _, at, domain = address.rpartition("@")
    return domain.strip().lower()[:255] if at else ""
