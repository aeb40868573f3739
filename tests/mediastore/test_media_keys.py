"""Master keyring from the settings: formats, the active key, clear errors for bad values."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mediastore.crypto.errors import MediaKeyConfigInvalid, MediaKeyMissing
from mediastore.crypto.keyring import fingerprint_id, parse_keyring
from mediastore.store.config import keyring_from_settings, store_from_settings
from realtime.settings import Mode, Settings


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MADOGUCHI_MEDIA_MASTER_KEY", "MADOGUCHI_MEDIA_MASTER_KEYS", "MADOGUCHI_MODE"):
        monkeypatch.delenv(name, raising=False)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.req("N-SEC-3")
def test_ring_setting_puts_the_first_key_in_charge(ring_text: Callable[..., str]) -> None:
    ring = parse_keyring(single=None, ring=ring_text("key-b", "key-a"))
    assert ring is not None
    assert ring.active_id == "key-b"
    assert ring.ids() == ["key-b", "key-a"]


@pytest.mark.req("N-SEC-3")
def test_single_key_gets_a_stable_fingerprint_id() -> None:
    key = os.urandom(32)
    ring = parse_keyring(single=b64(key), ring=None)
    assert ring is not None
    assert ring.active_id == fingerprint_id(key)
    assert ring.active_id.startswith("fp-")
    assert len(ring.active_id) == 15
    assert fingerprint_id(os.urandom(32)) != ring.active_id


@pytest.mark.req("N-SEC-3")
def test_single_key_beside_a_ring_is_kept_for_decryption_only(
    ring_text: Callable[..., str],
) -> None:
    old = os.urandom(32)
    ring = parse_keyring(single=b64(old), ring=ring_text("key-b"))
    assert ring is not None
    assert ring.active_id == "key-b"
    assert ring.key(fingerprint_id(old)) == old


@pytest.mark.req("N-SEC-3")
@pytest.mark.parametrize(
    ("single", "ring", "problem"),
    [
        ("not base64!!", None, "not base64"),
        (b64(os.urandom(16)), None, "decodes to 16 bytes"),
        (None, "a:" + b64(os.urandom(32)) + ",a:" + b64(os.urandom(32)), "duplicate"),
        (None, "no-colon-here", "expected id:base64"),
        (None, "bad id:" + b64(os.urandom(32)), "expected id:base64"),
        (None, "k1:" + b64(os.urandom(31)), "decodes to 31 bytes"),
        (None, " , ", "no keys"),
    ],
)
def test_malformed_key_settings_are_refused_without_echoing_the_key(
    single: str | None, ring: str | None, problem: str
) -> None:
    with pytest.raises(MediaKeyConfigInvalid, match=problem) as caught:
        parse_keyring(single=single, ring=ring)
    for secret in (single, ring):
        if secret and len(secret) > 20:
            assert secret.split(":")[-1] not in str(caught.value)


@pytest.mark.req("N-SEC-3")
def test_no_key_setting_means_no_keyring() -> None:
    assert parse_keyring(single=None, ring=None) is None
    assert parse_keyring(single="", ring="  ") is None


@pytest.mark.req("N-SEC-3")
def test_settings_ring_comes_from_the_environment(
    tmp_path: Path, ring_text: Callable[..., str]
) -> None:
    settings = Settings(data_dir=tmp_path)
    ring = keyring_from_settings(
        settings, environ={"MADOGUCHI_MEDIA_MASTER_KEYS": ring_text("key-c", "key-a")}
    )
    assert ring.ids() == ["key-c", "key-a"]
    store = store_from_settings(
        settings, environ={"MADOGUCHI_MEDIA_MASTER_KEYS": ring_text("key-a")}
    )
    assert store.root == tmp_path / "media"


@pytest.mark.req("N-SEC-3")
def test_development_without_a_key_uses_a_private_key_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = keyring_from_settings(settings, environ={})
    second = keyring_from_settings(settings, environ={})
    assert first.active_key == second.active_key
    assert (tmp_path / ".dev-media-master-key").stat().st_mode & 0o777 == 0o600


@pytest.mark.req("N-SEC-3")
def test_production_without_a_key_refuses(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, mode=Mode.PRODUCTION)
    with pytest.raises(MediaKeyMissing):
        keyring_from_settings(settings, environ={})
    assert not (tmp_path / ".dev-media-master-key").exists()
