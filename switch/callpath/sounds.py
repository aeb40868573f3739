"""Guidance audio: check an upload is a PCM WAV and convert it to what FreeSWITCH plays.

The target is 8 kHz, mono, 16-bit PCM WAV (FreeSWITCH's native narrowband rate). Conversion is
pure Python (the stdlib ``audioop`` is deprecated): 8/16/24/32-bit samples to 16-bit, channels
averaged to mono, and resampling by linear interpolation after a moving-average low-pass when
the source rate is higher than the target (enough for speech guidance).
"""

from __future__ import annotations

import io
import wave
from array import array
from dataclasses import dataclass

from switch.callpath.errors import NotAudio

TARGET_RATE = 8000
MAX_SECONDS = 600.0
MIN_RATE = 4000
MAX_RATE = 192_000


@dataclass(frozen=True)
class ConvertedAudio:
    """The converted WAV bytes and what the upload was."""

    wav: bytes
    duration_s: float
    source_rate: int
    source_channels: int
    source_width: int


def _samples(raw: bytes, width: int) -> array[int]:
    """Little-endian PCM frames of ``width`` bytes as signed 16-bit values."""
    if width == 2:
        out = array("h")
        out.frombytes(raw[: len(raw) - len(raw) % 2])
        return out
    if width == 1:
        return array("h", ((b - 128) << 8 for b in raw))
    if width == 3:
        values = array("h")
        for i in range(0, len(raw) - 2, 3):
            values.append(int.from_bytes(raw[i : i + 3], "little", signed=True) >> 8)
        return values
    wide = array("i")
    wide.frombytes(raw[: len(raw) - len(raw) % 4])
    return array("h", (v >> 16 for v in wide))


def _mono(samples: array[int], channels: int) -> array[int]:
    if channels == 1:
        return samples
    frames = len(samples) // channels
    return array(
        "h",
        (sum(samples[f * channels : f * channels + channels]) // channels for f in range(frames)),
    )


def _low_pass(samples: array[int], ratio: float) -> array[int]:
    """Moving average over about one output sample period (cuts most aliasing)."""
    width = int(ratio)
    if width < 2:
        return samples
    out = array("h", bytes(2 * len(samples)))
    total = 0
    for i, value in enumerate(samples):
        total += value
        if i >= width:
            total -= samples[i - width]
        out[i] = total // min(i + 1, width)
    return out


def _resample(samples: array[int], source_rate: int) -> array[int]:
    if source_rate == TARGET_RATE or not samples:
        return samples
    ratio = source_rate / TARGET_RATE
    smoothed = _low_pass(samples, ratio)
    count = int(len(samples) / ratio)
    last = len(smoothed) - 1
    out = array("h", bytes(2 * count))
    for n in range(count):
        pos = n * ratio
        i = int(pos)
        frac = pos - i
        a = smoothed[i]
        b = smoothed[i + 1] if i < last else a
        out[n] = int(a + (b - a) * frac)
    return out


def convert(data: bytes) -> ConvertedAudio:
    """Check ``data`` is a PCM WAV recording and convert it to 8 kHz mono 16-bit WAV."""
    if not data:
        raise NotAudio(problem="ファイルが空です")
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels = reader.getnchannels()
            width = reader.getsampwidth()
            rate = reader.getframerate()
            frames = reader.getnframes()
            if reader.getcomptype() != "NONE":
                raise NotAudio(problem="圧縮された音声には対応していません")
            raw = reader.readframes(frames)
    except NotAudio:
        raise
    except (wave.Error, EOFError, ValueError) as exc:
        raise NotAudio(problem="WAV形式として読み取れません") from exc
    if not 1 <= channels <= 8 or width not in (1, 2, 3, 4):
        raise NotAudio(problem="チャンネル数またはビット数に対応していません")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise NotAudio(problem=f"サンプリング周波数 {rate} Hz には対応していません")
    if frames == 0 or not raw:
        raise NotAudio(problem="音声が入っていません")
    duration = frames / rate
    if duration > MAX_SECONDS:
        raise NotAudio(problem="10分を超える音声は登録できません")
    mono = _mono(_samples(raw, width), channels)
    converted = _resample(mono, rate)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(TARGET_RATE)
        writer.writeframes(converted.tobytes())
    return ConvertedAudio(
        wav=out.getvalue(),
        duration_s=round(len(converted) / TARGET_RATE, 3),
        source_rate=rate,
        source_channels=channels,
        source_width=width,
    )
