"""Transcribe one queued recording: decrypt to a private temp folder, split, recognise, mask."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import col

from mediastore.recordings.errors import RecordingDeleted, RecordingNotFound
from mediastore.recordings.models import Recording
from mediastore.store.store import MediaStore
from mediastore.transcripts.channels import split_channels
from mediastore.transcripts.engine import Transcriber
from mediastore.transcripts.masking import MaskedSegment, mask_segment
from mediastore.transcripts.models import TranscriptSegment
from mediastore.transcripts.queue import claim_next, finish, set_progress
from realtime.db import Database
from realtime.errors import MadoguchiError

log = logging.getLogger(__name__)


def run_one(
    *, database: Database, store: MediaStore, transcriber: Transcriber, language: str = "ja"
) -> int | None:
    """Process the oldest queued job; its id, or None when the queue was empty."""
    with database.session() as session:
        job = claim_next(session)
        if job is None:
            return None
        job_id, recording_id = job.id or 0, job.recording_id
    try:
        transcribe_recording(
            database=database,
            store=store,
            transcriber=transcriber,
            recording_id=recording_id,
            job_id=job_id,
            language=language,
        )
    except MadoguchiError as exc:
        log.warning("transcription %s failed: %s", recording_id, exc)
        with database.session() as session:
            finish(session, job_id=job_id, error=f"{exc.error_id}: {exc.message}")
    except Exception as exc:
        log.exception("transcription %s failed", recording_id)
        with database.session() as session:
            finish(session, job_id=job_id, error=f"{type(exc).__name__}: {exc}")
    else:
        with database.session() as session:
            finish(session, job_id=job_id)
    return job_id


def transcribe_recording(
    *,
    database: Database,
    store: MediaStore,
    transcriber: Transcriber,
    recording_id: str,
    job_id: int,
    language: str,
) -> int:
    """Replace the recording's transcript; returns the number of segments stored."""
    with database.session() as session:
        row = session.get(Recording, recording_id)
        if row is None:
            raise RecordingNotFound(recording_id=recording_id)
        if row.deleted_at is not None:
            raise RecordingDeleted(recording_id=recording_id)
        file_id = row.file_id
    folder = Path(tempfile.mkdtemp(prefix="mdg-transcribe-"))
    os.chmod(folder, 0o700)
    try:
        plain = folder / "recording.wav"
        with store.read_all(file_id=file_id) as stream, plain.open("wb") as out:
            for block in stream:
                out.write(block)
        sides = split_channels(source=plain, folder=folder)
        plain.unlink()
        rows: list[TranscriptSegment] = []
        for done, (channel, mono) in enumerate(sides, start=1):
            for segment in transcriber.transcribe(wav=mono, language=language):
                rows.append(_row(recording_id, channel, mask_segment(segment)))
            mono.unlink()
            with database.session() as session:
                set_progress(session, job_id=job_id, done=done, total=len(sides))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows.sort(key=lambda r: (r.start_s, r.channel))
    with database.session() as session:
        session.execute(
            delete(TranscriptSegment).where(col(TranscriptSegment.recording_id) == recording_id)
        )
        session.add_all(rows)
    return len(rows)


def _row(recording_id: str, channel: str, masked: MaskedSegment) -> TranscriptSegment:
    return TranscriptSegment(
        recording_id=recording_id,
        channel=channel,
        start_s=round(masked.start, 3),
        end_s=round(masked.end, 3),
        text=masked.text,
        words=json.dumps(
            [[round(w.start, 3), round(w.end, 3), w.text] for w in masked.words],
            ensure_ascii=False,
        ),
        masked=masked.masked,
    )
