"""The speech recogniser behind a small protocol; production uses whisper-timestamped.

whisper-timestamped is an optional extra (``pip install madoguchi[transcribe]``); it is imported
only when a model file is configured, and the model is read from that file, never downloaded.
"""

from __future__ import annotations

import logging
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from realtime.errors import MadoguchiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Word:
    """One recognised word with its time in seconds (from the start of the audio)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Segment:
    """One recognised stretch of speech."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


class Transcriber(Protocol):
    """Turns a mono 16-bit WAV into segments with word timestamps."""

    def transcribe(self, *, wav: Path, language: str) -> list[Segment]:
        """Recognise the speech in ``wav``."""


class TranscriberUnavailable(MadoguchiError):
    error_id = "transcriber-unavailable"
    status_code = 503
    message_ja = (
        "文字起こし機能が設定されていません（モデルファイルまたは追加パッケージがありません）。"
    )

    def __init__(self, *, problem: str) -> None:
        super().__init__(problem=problem)
        self.problem = problem


WHISPER_RATE = 16000


def read_mono_float(wav: Path) -> Any:
    """The samples of a mono 16-bit WAV as float32 in [-1, 1] at 16 kHz (numpy array)."""
    import numpy as np

    with wave.open(str(wav), "rb") as reader:
        rate = reader.getframerate()
        width = reader.getsampwidth()
        raw = reader.readframes(reader.getnframes())
    if width != 2:
        raise TranscriberUnavailable(problem="only 16-bit PCM can be transcribed")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if rate != WHISPER_RATE and len(samples):
        target = round(len(samples) * WHISPER_RATE / rate)
        positions = np.linspace(0, len(samples) - 1, num=max(target, 1))
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


class WhisperTranscriber:
    """whisper-timestamped on the CPU, the model read from a local checkpoint file."""

    def __init__(self, *, model_path: Path, device: str = "cpu") -> None:
        if not model_path.is_file():
            raise TranscriberUnavailable(problem=f"model file not found: {model_path}")
        try:
            import whisper_timestamped
        except ImportError as exc:
            raise TranscriberUnavailable(
                problem="whisper-timestamped is not installed (pip install madoguchi[transcribe])"
            ) from exc
        self._wt: Any = whisper_timestamped
        self.model: Any = whisper_timestamped.load_model(str(model_path), device=device)

    def transcribe(self, *, wav: Path, language: str) -> list[Segment]:
        """Greedy decoding, no conditioning on earlier text (steadier on telephone audio)."""
        audio = read_mono_float(wav)
        if len(audio) == 0:
            return []
        decoding: dict[str, Any] = {
            "language": language,
            "temperature": 0.0,
            "beam_size": None,
            "best_of": None,
            "condition_on_previous_text": False,
            "verbose": None,
        }
        try:
            result = self._wt.transcribe(self.model, audio, **decoding)
        except ValueError as exc:
            # whisper-timestamped's word alignment (DTW) finds no path for some decodings
            # (noise, music on hold): keep the segments, without word timings.
            log.warning("word alignment failed (%s); transcribing without word timings", exc)
            # fp16=False: on the CPU whisper would warn and fall back to FP32 itself
            result = self.model.transcribe(audio, **decoding, fp16=False)
        return [_segment(s) for s in result.get("segments", [])]


def _segment(raw: dict[str, Any]) -> Segment:
    words = [
        Word(start=float(w["start"]), end=float(w["end"]), text=str(w["text"]))
        for w in raw.get("words", [])
    ]
    return Segment(
        start=float(raw["start"]), end=float(raw["end"]), text=str(raw["text"]), words=words
    )


def load_transcriber(*, model_path: Path | None) -> Transcriber | None:
    """The configured recogniser, or None when transcription is off (no model file set)."""
    if model_path is None:
        return None
    return WhisperTranscriber(model_path=model_path)
