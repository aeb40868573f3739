"""Split a stereo recording into one mono WAV per side (stdlib only, block by block)."""

from __future__ import annotations

import contextlib
import wave
from pathlib import Path
from typing import Literal

from mediastore.recordings.errors import RecordingInvalid

# FreeSWITCH stereo recordings: the recorded leg (the agent) on the left, the other on the right.
CHANNEL_NAMES = ("agent", "caller")
_BLOCK = 8192
_FORMATS: dict[int, Literal["B", "H", "I"]] = {1: "B", 2: "H", 4: "I"}


def _channel(block: bytes, index: int, width: int, channels: int) -> bytes:
    fmt = _FORMATS.get(width)
    if fmt is not None:
        return bytes(memoryview(block).cast(fmt)[index::channels].tobytes())
    frame = width * channels
    return b"".join(
        block[pos + index * width : pos + (index + 1) * width]
        for pos in range(0, len(block), frame)
    )


def split_channels(*, source: Path, folder: Path) -> list[tuple[str, Path]]:
    """Mono WAVs in ``folder``, one per channel, named by side; a mono file is the agent."""
    with contextlib.ExitStack() as stack:
        try:
            reader = stack.enter_context(wave.open(str(source), "rb"))
        except (wave.Error, EOFError) as exc:
            raise RecordingInvalid(path=str(source), problem=str(exc)) from exc
        channels = reader.getnchannels()
        width = reader.getsampwidth()
        names = CHANNEL_NAMES[:channels]
        outputs = [folder / f"{name}.wav" for name in names]
        writers = [stack.enter_context(wave.open(str(path), "wb")) for path in outputs]
        for writer in writers:
            writer.setnchannels(1)
            writer.setsampwidth(width)
            writer.setframerate(reader.getframerate())
        while True:
            block = reader.readframes(_BLOCK)
            if not block:
                break
            for index, writer in enumerate(writers):
                writer.writeframesraw(_channel(block, index, width, channels))
    return list(zip(names, outputs, strict=True))
