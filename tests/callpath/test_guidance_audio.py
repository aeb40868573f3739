"""Guidance audio uploads: checked, converted to 8 kHz mono 16-bit WAV (F-1.2.4, F-1.2.6)."""

from __future__ import annotations

import io
import itertools
import math
import struct
import wave
from pathlib import Path

import pyotp
import pytest
from starlette.testclient import TestClient

from realtime.auth.permissions import Role
from switch.callpath import sounds
from switch.callpath.errors import NotAudio
from tests.support.app import add_user, make_app, make_settings, signin


def tone(*, rate: int, channels: int, width: int, seconds: float, freq: float = 440.0) -> bytes:
    """A WAV file of a sine tone."""
    frames = bytearray()
    peak = (1 << (8 * width - 1)) - 1
    for n in range(int(rate * seconds)):
        value = int(0.5 * peak * math.sin(2 * math.pi * freq * n / rate))
        for _ in range(channels):
            if width == 1:
                frames += bytes([value + 128])
            else:
                frames += value.to_bytes(width, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(bytes(frames))
    return out.getvalue()


def crossings(wav: bytes) -> tuple[int, int, int, int]:
    """Rate, channels, width and the number of upward zero crossings of a 16-bit WAV."""
    with wave.open(io.BytesIO(wav), "rb") as reader:
        rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
        raw = reader.readframes(reader.getnframes())
    values = struct.unpack(f"<{len(raw) // 2}h", raw)
    ups = sum(1 for a, b in itertools.pairwise(values) if a < 0 <= b)
    return rate, channels, width, ups


@pytest.mark.req("F-1.2.4")
@pytest.mark.parametrize(
    ("rate", "channels", "width"),
    [(44100, 2, 2), (16000, 1, 2), (8000, 1, 1), (48000, 2, 3), (22050, 1, 4), (8000, 1, 2)],
)
def test_upload_is_converted_to_8khz_mono_16bit_keeping_the_pitch(
    rate: int, channels: int, width: int
) -> None:
    converted = sounds.convert(tone(rate=rate, channels=channels, width=width, seconds=1.0))
    got_rate, got_channels, got_width, ups = crossings(converted.wav)
    assert (got_rate, got_channels, got_width) == (8000, 1, 2)
    assert converted.duration_s == pytest.approx(1.0, abs=0.01)
    assert (converted.source_rate, converted.source_channels) == (rate, channels)
    assert 430 <= ups <= 450  # still a 440 Hz tone


@pytest.mark.req("F-1.2.6")
@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "ファイルが空です"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00mp3 data", "WAV形式として読み取れません"),
        ("これは音声ではありません".encode(), "WAV形式として読み取れません"),
        (tone(rate=8000, channels=1, width=2, seconds=0.0), "音声が入っていません"),
        (tone(rate=2000, channels=1, width=2, seconds=0.1), "サンプリング周波数 2000 Hz"),
    ],
)
def test_not_audio_is_refused_with_a_japanese_reason(data: bytes, problem: str) -> None:
    with pytest.raises(NotAudio) as caught:
        sounds.convert(data)
    assert problem in caught.value.message
    assert caught.value.status_code == 422


@pytest.mark.req("F-1.2.4", "F-1.2.6")
def test_admin_uploads_guidance_and_a_non_audio_file_gets_422(tmp_path: Path) -> None:
    app = make_app(make_settings(tmp_path))
    totp = pyotp.random_base32()
    add_user(app, "admin1", Role.SYSTEM_ADMIN, totp_secret=totp)
    add_user(app, "op1", Role.OPERATOR)
    with TestClient(app, base_url="http://testserver") as client:
        token = signin(client, "admin1", totp_secret=totp)
        headers = {"X-CSRF-Token": token, "Content-Type": "audio/wav"}
        bad = client.post(
            "/api/callpath/sounds/menu_main", content=b"%PDF-1.4 not audio", headers=headers
        )
        assert bad.status_code == 422
        assert bad.json()["error"] == "guidance-not-audio"
        assert "WAV形式" in bad.json()["message"]
        assert not (tmp_path / "sounds" / "menu_main.wav").exists()
        good = client.post(
            "/api/callpath/sounds/menu_main?label=メインメニュー",
            content=tone(rate=44100, channels=2, width=2, seconds=0.5),
            headers=headers,
        )
        assert good.status_code == 201, good.text
        stored = (tmp_path / "sounds" / "menu_main.wav").read_bytes()
        assert crossings(stored)[:3] == (8000, 1, 2)
        listed = client.get("/api/callpath/config").json()["sounds"]
        assert listed == [
            {"sound_key": "menu_main", "label_ja": "メインメニュー", "duration_s": 0.5}
        ]
    with TestClient(app, base_url="http://testserver") as client:
        token = signin(client, "op1")
        denied = client.post(
            "/api/callpath/sounds/menu_main",
            content=tone(rate=8000, channels=1, width=2, seconds=0.1),
            headers={"X-CSRF-Token": token},
        )
        assert denied.status_code == 403
    app.ctx.db.dispose()
