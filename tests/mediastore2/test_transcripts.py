"""Transcription: per-channel split, the queue with progress, PII masking, search, whisper path."""

from __future__ import annotations

import dataclasses
import importlib.util
import wave
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from mediastore.recordings.ingest import ingest_recording
from mediastore.recordings.service import RecordingFilter, Viewer, search_recordings
from mediastore.transcripts.channels import split_channels
from mediastore.transcripts.engine import Segment, Word
from mediastore.transcripts.models import TranscriptJob, TranscriptSegment
from mediastore.transcripts.queue import enqueue
from mediastore.transcripts.subsystem import TranscriptionWorker
from mediastore.transcripts.subsystem import build as build_worker
from realtime.auth.permissions import Role
from tests.mediastore2.conftest import Web, meta, write_wav

JSON = {"Accept": "application/json"}
SPOKEN = {
    "agent": ["お電話ありがとうございます", "区民課の", "山田太郎様", "ですね"],
    "caller": ["はい", "電話番号は", "090-1234-5678", "です", "住民票の件で"],
}


class ScriptedRecogniser:
    """Test double of the speech model only (real weights cannot be fetched here).

    It checks the audio it is given is the mono channel of the expected length and returns the
    words scripted for that side, spread over the channel's real duration.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int, float]] = []

    def transcribe(self, *, wav: Path, language: str) -> list[Segment]:
        with wave.open(str(wav), "rb") as reader:
            channels, rate, frames = (
                reader.getnchannels(),
                reader.getframerate(),
                reader.getnframes(),
            )
        duration = frames / rate
        self.calls.append((wav.stem, channels, rate, duration))
        words = SPOKEN[wav.stem]
        step = duration / len(words)
        timed = [Word(start=i * step, end=(i + 1) * step, text=w) for i, w in enumerate(words)]
        return [Segment(start=0.0, end=duration, text="".join(words), words=timed)]


@pytest.mark.req("F-2.2.3")
def test_a_stereo_recording_splits_into_the_agent_and_caller_channels(tmp_path: Path) -> None:
    source = write_wav(tmp_path / "in.wav", seconds=0.5, tones=(440.0, 660.0))
    sides = split_channels(source=source, folder=tmp_path)
    assert [name for name, _ in sides] == ["agent", "caller"]
    with wave.open(str(source), "rb") as reader:
        raw = reader.readframes(reader.getnframes())
    for index, (_, path) in enumerate(sides):
        with wave.open(str(path), "rb") as mono:
            assert (mono.getnchannels(), mono.getframerate()) == (1, 8000)
            data = mono.readframes(mono.getnframes())
        expected = b"".join(raw[i + index * 2 : i + index * 2 + 2] for i in range(0, len(raw), 4))
        assert data == expected


def _worker(web: Web, recogniser: Any) -> TranscriptionWorker:
    return TranscriptionWorker(
        database=web.db, store=web.store, transcriber=recogniser, language="ja", poll_s=1.0
    )


@pytest.mark.req("F-2.2.3", "N-PRIV-1")
def test_the_queue_transcribes_each_channel_masks_personal_data_and_reports_progress(
    web: Web,
) -> None:
    row = web.ingest(contact_id="c-1", agent="op1", seconds=2.0)
    with web.db.session() as session:
        enqueue(session, recording_id=row.id, requested_by="qa1")
        enqueue(session, recording_id=row.id, requested_by="qa1")  # not queued twice
    recogniser = ScriptedRecogniser()
    assert _worker(web, recogniser).drain() == 1
    assert sorted((name, ch, rate, round(sec, 3)) for name, ch, rate, sec in recogniser.calls) == [
        ("agent", 1, 8000, 2.0),
        ("caller", 1, 8000, 2.0),
    ]
    with web.db.session() as session:
        job = session.exec(select(TranscriptJob)).one()
        stored = session.exec(select(TranscriptSegment)).all()
    assert (job.status, job.progress, job.channels_done, job.channels_total) == ("done", 100, 2, 2)
    everything = " ".join(s.text + s.words for s in stored)
    assert "090-1234-5678" not in everything
    assert "山田太郎" not in everything
    assert "［電話番号］" in everything

    client, _ = web.client("op1", Role.OPERATOR)
    shown = client.get(f"/api/media/recordings/{row.id}/transcript", headers=JSON).json()
    assert shown["job"]["progress"] == 100
    assert [s["channel"] for s in shown["segments"]] == ["agent", "caller"]
    caller = shown["segments"][1]
    assert [w[2] for w in caller["words"]][:3] == ["はい", "電話番号は", "［電話番号］"]
    assert caller["words"][2][0] == pytest.approx(0.8)  # click-to-seek position in seconds
    assert all(w[0] < w[1] for s in shown["segments"] for w in s["words"])
    found = client.get("/api/media/recordings?q=住民票", headers=JSON).json()
    assert [i["id"] for i in found["items"]] == [row.id]
    assert client.get("/api/media/recordings?q=090", headers=JSON).json()["items"] == []


@pytest.mark.req("F-2.2.3")
def test_a_failing_job_is_marked_failed_and_the_next_one_still_runs(web: Web) -> None:
    first = web.ingest(contact_id="c-1", agent="op1")
    second = web.ingest(contact_id="c-2", agent="op1")
    web.store.path_for(first.file_id).unlink()
    with web.db.session() as session:
        enqueue(session, recording_id=first.id, requested_by="sv1")
        enqueue(session, recording_id=second.id, requested_by="sv1")
    assert _worker(web, ScriptedRecogniser()).drain() == 2
    with web.db.session() as session:
        jobs = {j.recording_id: j for j in session.exec(select(TranscriptJob)).all()}
    assert jobs[first.id].status == "failed"
    assert jobs[first.id].error.startswith("media-not-found")
    assert jobs[second.id].status == "done"
    with web.db.session() as session:
        total, _ = search_recordings(
            session,
            viewer=Viewer(username="sv1", sees_all=True),
            criteria=RecordingFilter(words="区民課"),
            page=1,
            per_page=10,
        )
    assert total == 1


@pytest.mark.req("F-2.2.3")
def test_transcription_is_off_without_a_model_file_and_requests_are_queued(web: Web) -> None:
    assert build_worker(web.app.ctx) is None
    row = web.ingest(contact_id="c-1", agent="op1")
    sv, token = web.client("sv1", Role.SUPERVISOR)
    queued = sv.post(
        f"/api/media/recordings/{row.id}/transcribe", headers={"X-CSRF-Token": token, **JSON}
    )
    assert queued.status_code == 202
    jobs = sv.get("/api/media/transcripts/jobs", headers=JSON).json()
    assert jobs["enabled"] is False
    assert [(j["recording_id"], j["status"]) for j in jobs["jobs"]] == [(row.id, "queued")]


WHISPER = importlib.util.find_spec("whisper_timestamped") is not None


@pytest.mark.req("F-2.2.3")
@pytest.mark.skipif(
    not WHISPER, reason="whisper-timestamped (optional extra `transcribe`) is not installed"
)
# whisper's tokenizer opens its vocabulary file without closing it (a warning at collection).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_tiny_whisper_checkpoint_loads_through_the_production_path_and_transcribes(
    web: Web, tmp_path: Path
) -> None:
    import torch  # type: ignore[import-not-found,unused-ignore]
    from whisper.model import (  # type: ignore[import-not-found,unused-ignore]
        ModelDimensions,
        Whisper,
    )

    dims = ModelDimensions(
        n_mels=80,
        n_audio_ctx=1500,
        n_audio_state=32,
        n_audio_head=2,
        n_audio_layer=1,
        n_vocab=51865,
        n_text_ctx=64,
        n_text_state=32,
        n_text_head=2,
        n_text_layer=1,
    )
    # Random weights decode nonsense; with some seeds whisper-timestamped's word alignment finds
    # no path for the nonsense tokens. Seed 3 decodes a segment on both channels (torch 2.13 CPU).
    torch.manual_seed(3)
    checkpoint = tmp_path / "tiny-whisper.pt"
    torch.save(
        {"dims": dataclasses.asdict(dims), "model_state_dict": Whisper(dims).state_dict()},
        checkpoint,
    )
    web.app.ctx.settings.transcribe_model_path = checkpoint
    worker = build_worker(web.app.ctx)
    assert worker is not None
    row = ingest_recording(
        database=web.db,
        store=web.store,
        path=write_wav(tmp_path / "call.wav", seconds=6.0, rate=16000),
        metadata=meta(contact_id="c-1", seconds=6.0),
    )
    with web.db.session() as session:
        enqueue(session, recording_id=row.id, requested_by="system")
    assert worker.drain() == 1
    with web.db.session() as session:
        job = session.exec(select(TranscriptJob)).one()
        stored = session.exec(select(TranscriptSegment)).all()
    assert job.status == "done", job.error
    assert {s.channel for s in stored} <= {"agent", "caller"}
    assert stored  # random weights: nonsense words, but real segments with timestamps
    for segment in stored:
        assert segment.start_s <= segment.end_s
        assert segment.words.startswith("[")
