"""Check that a file is a complete PCM WAV recording before it is stored (stdlib ``wave``)."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

from mediastore.recordings.errors import RecordingInvalid

_BLOCK_FRAMES = 16384
MAX_CHANNELS = 2


@dataclass(frozen=True)
class WavFacts:
    """What the recording holds."""

    channels: int
    sample_rate: int
    sample_width: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def inspect_wav(path: Path) -> WavFacts:
    """Read the whole file once: refuse non-WAV, non-PCM, empty or truncated data."""
    if not path.is_file():
        raise RecordingInvalid(path=str(path), problem="file does not exist")
    try:
        with wave.open(str(path), "rb") as reader:
            channels = reader.getnchannels()
            rate = reader.getframerate()
            width = reader.getsampwidth()
            declared = reader.getnframes()
            if channels < 1 or channels > MAX_CHANNELS:
                raise RecordingInvalid(path=str(path), problem=f"{channels} channels")
            if rate <= 0 or width not in (1, 2, 3, 4):
                raise RecordingInvalid(path=str(path), problem="bad sample format")
            counted = 0
            while True:
                block = reader.readframes(_BLOCK_FRAMES)
                if not block:
                    break
                if len(block) % (width * channels):
                    raise RecordingInvalid(path=str(path), problem="partial frame at end")
                counted += len(block) // (width * channels)
    except (wave.Error, EOFError) as exc:
        raise RecordingInvalid(path=str(path), problem=f"not a PCM WAV file: {exc}") from exc
    if counted != declared:
        raise RecordingInvalid(
            path=str(path), problem=f"truncated: header says {declared} frames, found {counted}"
        )
    if counted == 0:
        raise RecordingInvalid(path=str(path), problem="no audio frames")
    return WavFacts(channels=channels, sample_rate=rate, sample_width=width, frames=counted)
