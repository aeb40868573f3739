"""Media files (already encrypted at rest by the media store) copied incrementally by content.

Objects are named by the SHA-256 of the file, so an unchanged file is never copied twice and a
re-keyed file (rotation rewrites its header) is a new object while older generations keep theirs.
A local cache of (size, mtime) -> hash spares re-reading unchanged files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import BinaryIO

from realtime.backup.errors import BackupCorrupted
from realtime.backup.target import Target

PREFIX = "media/"


def object_name(sha256: str) -> str:
    return f"{PREFIX}{sha256[:2]}/{sha256}"


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def scan(root: Path, cache_file: Path) -> dict[str, str]:
    """Media path (relative, POSIX) -> SHA-256 for every finished file under ``root``."""
    cache: dict[str, list[object]] = {}
    if cache_file.exists():
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
    result: dict[str, str] = {}
    fresh: dict[str, list[object]] = {}
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
                continue  # work files (.part, .rotate) are not finished media
            rel = path.relative_to(root).as_posix()
            stat = path.stat()
            known = cache.get(rel)
            if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
                sha = str(known[2])
            else:
                sha = _hash(path)
            result[rel] = sha
            fresh[rel] = [stat.st_size, stat.st_mtime_ns, sha]
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(fresh), encoding="utf-8")
    os.replace(tmp, cache_file)
    return result


def upload(target: Target, root: Path, files: dict[str, str]) -> int:
    """Copy the files the target lacks; returns how many were copied."""
    copied = 0
    for rel, sha in files.items():
        name = object_name(sha)
        if target.exists(name):
            continue

        def write(out: BinaryIO, path: Path = root / rel) -> None:
            with path.open("rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)

        target.put(name, write)
        copied += 1
    return copied


def download(target: Target, files: dict[str, str], dest_root: Path) -> int:
    """Restore media files, checking each one's hash; returns how many."""
    for rel, sha in files.items():
        dest = dest_root / rel
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest = hashlib.sha256()
        with target.open(object_name(sha)) as src, dest.open("wb") as out:
            for block in iter(lambda s=src: s.read(1024 * 1024), b""):  # type: ignore[misc]
                digest.update(block)
                out.write(block)
        dest.chmod(0o600)
        if digest.hexdigest() != sha:
            raise BackupCorrupted(object=object_name(sha), reason="media checksum differs")
    return len(files)
