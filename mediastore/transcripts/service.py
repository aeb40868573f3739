"""Read a recording's transcript (already masked) and queue transcriptions."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from mediastore.recordings.errors import RecordingDeleted, RecordingNotFound
from mediastore.recordings.models import Recording
from mediastore.recordings.service import Viewer, get_visible
from mediastore.transcripts.models import TranscriptSegment
from mediastore.transcripts.queue import enqueue, jobs, view
from realtime.audit import service as audit


def transcript(session: Session, *, viewer: Viewer, recording_id: str) -> dict[str, Any]:
    """Segments in time order with word timestamps, and the latest job's progress."""
    get_visible(session, viewer=viewer, recording_id=recording_id)
    rows = session.exec(
        select(TranscriptSegment)
        .where(TranscriptSegment.recording_id == recording_id)
        .order_by(col(TranscriptSegment.start_s), col(TranscriptSegment.id))
    ).all()
    latest = jobs(session, recording_id=recording_id, limit=1)
    return {
        "recording_id": recording_id,
        "job": latest[0].to_json() if latest else None,
        "segments": [
            {
                "channel": r.channel,
                "start": r.start_s,
                "end": r.end_s,
                "text": r.text,
                "words": json.loads(r.words),
            }
            for r in rows
        ],
    }


def request_transcription(session: Session, *, viewer: Viewer, recording_id: str) -> dict[str, Any]:
    """Queue the recording (again); audited."""
    row = session.get(Recording, recording_id)
    if row is None:
        raise RecordingNotFound(recording_id=recording_id)
    if row.deleted_at is not None:
        raise RecordingDeleted(recording_id=recording_id)
    job = enqueue(session, recording_id=recording_id, requested_by=viewer.username)
    audit.record(session, actor=viewer.username, action="recording.transcribe", target=recording_id)
    return view(job).to_json()
