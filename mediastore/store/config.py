"""Build the keyring and the store from the server settings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from mediastore.crypto.errors import MediaKeyMissing
from mediastore.crypto.keyring import RING_SETTING, Keyring, development_keyring, parse_keyring
from mediastore.store.store import MediaStore
from realtime.settings import Settings


def _secret(value: object) -> str | None:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value if isinstance(value, str) else None


def keyring_from_settings(
    settings: Settings, *, environ: Mapping[str, str] | None = None
) -> Keyring:
    """MADOGUCHI_MEDIA_MASTER_KEY(S); in development without either, a key in the data folder.

    ``environ`` lets a test hand a keyring list without building new settings."""
    ring_text = _secret(settings.media_master_keys) or (environ or {}).get(RING_SETTING)
    single = _secret(settings.media_master_key)
    keyring = parse_keyring(single=single, ring=ring_text)
    if keyring is not None:
        return keyring
    if settings.is_production:
        raise MediaKeyMissing(key_id="(MADOGUCHI_MEDIA_MASTER_KEY not set)")
    return development_keyring(settings.data_dir)


def media_root(settings: Settings) -> Path:
    """The media folder inside the data folder."""
    return settings.data_dir / "media"


def store_from_settings(
    settings: Settings, *, root: Path | None = None, environ: Mapping[str, str] | None = None
) -> MediaStore:
    """The media store the server and the commands use."""
    return MediaStore(
        root=root or media_root(settings),
        keyring=keyring_from_settings(settings, environ=environ),
    )
