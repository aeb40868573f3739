"""The transcription queue: add, claim, report progress, finish (rows in ``transcript_job``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from mediastore.transcripts.models import TranscriptJob
from realtime.timeutil import utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class JobView:
    """A job's progress as the screens show it."""

    id: int
    recording_id: str
    status: str
    progress: int
    channels_done: int
    channels_total: int
    error: str
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recording_id": self.recording_id,
            "status": self.status,
            "progress": self.progress,
            "channels_done": self.channels_done,
            "channels_total": self.channels_total,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def view(job: TranscriptJob) -> JobView:
    """The job as a read-only view."""
    return JobView(
        id=job.id or 0,
        recording_id=job.recording_id,
        status=job.status,
        progress=job.progress,
        channels_done=job.channels_done,
        channels_total=job.channels_total,
        error=job.error,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def enqueue(session: Session, *, recording_id: str, requested_by: str) -> TranscriptJob:
    """Queue a recording unless it is already queued or running (then return that job)."""
    pending = session.exec(
        select(TranscriptJob).where(
            TranscriptJob.recording_id == recording_id,
            col(TranscriptJob.status).in_([QUEUED, RUNNING]),
        )
    ).first()
    if pending is not None:
        return pending
    now = utcnow()
    job = TranscriptJob(
        recording_id=recording_id,
        requested_by=requested_by,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    return job


def claim_next(session: Session) -> TranscriptJob | None:
    """Mark the oldest queued job running and return it (None when the queue is empty).

    The conditional UPDATE makes two workers never take the same job.
    """
    candidates = session.exec(
        select(TranscriptJob).where(TranscriptJob.status == QUEUED).order_by(col(TranscriptJob.id))
    ).all()
    for job in candidates[:5]:
        taken = session.execute(
            update(TranscriptJob)
            .where(col(TranscriptJob.id) == job.id, col(TranscriptJob.status) == QUEUED)
            .values(status=RUNNING, updated_at=utcnow(), progress=0)
        )
        if getattr(taken, "rowcount", 0) == 1:
            session.refresh(job)
            return job
    return None


def set_progress(session: Session, *, job_id: int, done: int, total: int) -> None:
    """Record how many channels are finished."""
    job = session.get(TranscriptJob, job_id)
    if job is None:
        return
    job.channels_done = done
    job.channels_total = total
    job.progress = int(100 * done / total) if total else 100
    job.updated_at = utcnow()
    session.add(job)


def finish(session: Session, *, job_id: int, error: str = "") -> None:
    """Mark the job done, or failed with the reason."""
    job = session.get(TranscriptJob, job_id)
    if job is None:
        return
    job.status = FAILED if error else DONE
    job.error = error[:300]
    if not error:
        job.progress = 100
    job.updated_at = utcnow()
    session.add(job)


def requeue_interrupted(session: Session) -> int:
    """Jobs left running by a stopped server go back to the queue (at start-up)."""
    result = session.execute(
        update(TranscriptJob)
        .where(col(TranscriptJob.status) == RUNNING)
        .values(status=QUEUED, updated_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def jobs(session: Session, *, recording_id: str | None = None, limit: int = 100) -> list[JobView]:
    """Newest jobs first (optionally of one recording)."""
    query = select(TranscriptJob).order_by(col(TranscriptJob.id).desc()).limit(limit)
    if recording_id is not None:
        query = query.where(TranscriptJob.recording_id == recording_id)
    return [view(job) for job in session.exec(query).all()]
