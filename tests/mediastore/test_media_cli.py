"""``madoguchi media rotate-key`` and ``media verify`` through argparse and a real process."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mediastore.cli import register
from mediastore.crypto.keyring import Keyring
from mediastore.store.store import MediaStore

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, data_dir: Path, keys: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")},
        "PYTHONPATH": str(REPO),
        "MADOGUCHI_DATA_DIR": str(data_dir),
        "MADOGUCHI_MEDIA_MASTER_KEYS": keys,
    }
    return subprocess.run(
        [sys.executable, "-m", "mediastore.cli", "media", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir,
        timeout=60,
        check=False,
    )


@pytest.mark.req("N-SEC-3")
def test_register_adds_the_media_group() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["media", "verify", "rec-1", "--root", "/x"])
    assert args.file_ids == ["rec-1"]
    assert args.root == Path("/x")
    assert callable(args.handler)
    assert parser.parse_args(["media", "rotate-key"]).media_command == "rotate-key"


@pytest.mark.req("N-SEC-3", "F-2.2.1")
def test_rotate_key_then_verify_in_a_real_process(
    tmp_path: Path, make_ring: Callable[..., Keyring], ring_text: Callable[..., str]
) -> None:
    store = MediaStore(root=tmp_path / "media", keyring=make_ring("key-a"), chunk_size=64)
    for n in range(3):
        store.write(file_id=f"call-{n}", chunks=[os.urandom(500)])

    rotated = run_cli("rotate-key", data_dir=tmp_path, keys=ring_text("key-b", "key-a"))
    assert rotated.returncode == 0, rotated.stderr
    report = json.loads(rotated.stdout)
    assert (report["rotated"], report["already_current"]) == (3, 0)
    assert report["active_key_id"] == "key-b"

    verified = run_cli("verify", data_dir=tmp_path, keys=ring_text("key-b"))
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["ok"] == 3

    path = store.path_for("call-1")
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x10
    path.write_bytes(bytes(raw))
    broken = run_cli("verify", data_dir=tmp_path, keys=ring_text("key-b"))
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["tampered"] == {"call-1": "chunk 7 fails authentication"}
    assert "改ざん" in broken.stderr


@pytest.mark.req("N-SEC-3")
def test_rotate_key_reports_files_whose_key_is_gone(
    tmp_path: Path, make_ring: Callable[..., Keyring], ring_text: Callable[..., str]
) -> None:
    MediaStore(root=tmp_path / "media", keyring=make_ring("key-c")).write(
        file_id="orphan", chunks=[b"o" * 10]
    )
    done = run_cli("rotate-key", data_dir=tmp_path, keys=ring_text("key-b"))
    assert done.returncode == 1
    assert json.loads(done.stdout)["unknown_key"] == {"orphan": "key-c"}
    assert len(list((tmp_path / "media").rglob("orphan.mdgm"))) == 1


@pytest.mark.req("N-SEC-3")
def test_a_malformed_key_setting_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("verify", data_dir=tmp_path, keys="k1:short")
    assert done.returncode == 2
    assert "メディア暗号鍵の設定が正しくありません" in done.stderr
    assert "short" not in done.stderr
