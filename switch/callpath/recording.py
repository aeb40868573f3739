"""Hand a finished call recording (stereo WAV from FreeSWITCH) to mediastore, encrypted."""

from __future__ import annotations

import contextlib
import wave
from pathlib import Path

from mediastore.store.store import MediaStore


def wav_seconds(path: Path) -> float:
    """Length of a WAV file in seconds (0 when unreadable)."""
    try:
        with wave.open(str(path), "rb") as reader:
            rate = reader.getframerate()
            return reader.getnframes() / rate if rate else 0.0
    except (wave.Error, EOFError):
        return 0.0


def store_wav(store: MediaStore, *, source: Path, file_id: str) -> float:
    """Encrypt ``source`` into the store as ``file_id``, remove the plain file; its seconds."""
    if not source.exists():
        raise FileNotFoundError(source)
    seconds = wav_seconds(source)
    if not store.exists(file_id=file_id):
        store.write_file(file_id=file_id, source=source)
    with contextlib.suppress(FileNotFoundError):
        source.unlink()
    return seconds
