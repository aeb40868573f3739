"""Find recordings and check who may reach them (agents: their own calls; QA roles: all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crm.interactions.models import Interaction
from mediastore.recordings.errors import RecordingDeleted, RecordingNotFound
from mediastore.recordings.models import Recording
from mediastore.transcripts.models import TranscriptSegment
from realtime.auth.permissions import Permission
from realtime.auth.service import Principal


@dataclass(frozen=True)
class Viewer:
    """Who is looking: their user name and whether they may see every agent's recordings."""

    username: str
    sees_all: bool

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        """Supervisors, the center manager and QA monitors (qa.evaluate) see every recording."""
        return cls(username=principal.username, sees_all=principal.can(Permission.QA_EVALUATE))


@dataclass(frozen=True)
class RecordingFilter:
    """Search criteria; every field optional."""

    start: datetime | None = None
    end: datetime | None = None
    agent: str | None = None
    line: str | None = None
    menu: str | None = None
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    outcome: str | None = None
    words: str | None = None
    include_deleted: bool = False


def recording_json(row: Recording) -> dict[str, Any]:
    """The catalogue row as the API returns it."""
    return {
        "id": row.id,
        "contact_id": row.contact_id,
        "agent": row.agent,
        "line": row.did,
        "menu": row.menu,
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat(),
        "duration_s": row.duration_s,
        "channels": row.channels,
        "sample_rate": row.sample_rate,
        "outcome": row.outcome,
        "category": row.category,
        "hold": row.hold,
        "hold_reason": row.hold_reason,
        "deleted_at": row.deleted_at.isoformat() if row.deleted_at else None,
        "deleted_reason": row.deleted_reason,
    }


def refresh_outcomes(session: Session) -> int:
    """Copy outcome and category from interaction histories saved after the recording."""
    rows = session.exec(
        select(Recording, Interaction)
        .join(Interaction, col(Interaction.contact_id) == col(Recording.contact_id))
        .where(Recording.outcome == "")
    ).all()
    for recording, interaction in rows:
        recording.outcome = interaction.outcome
        recording.category = interaction.category1
        session.add(recording)
    if rows:
        session.flush()
    return len(rows)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_recordings(
    session: Session, *, viewer: Viewer, criteria: RecordingFilter, page: int, per_page: int
) -> tuple[int, list[dict[str, Any]]]:
    """The total count and one page of matches, newest first."""
    refresh_outcomes(session)
    query = select(Recording)
    if not viewer.sees_all:
        query = query.where(Recording.agent == viewer.username)
    if not criteria.include_deleted:
        query = query.where(col(Recording.deleted_at).is_(None))
    if criteria.start is not None:
        query = query.where(col(Recording.started_at) >= criteria.start)
    if criteria.end is not None:
        query = query.where(col(Recording.started_at) < criteria.end)
    for column, value in (
        (Recording.agent, criteria.agent),
        (Recording.did, criteria.line),
        (Recording.menu, criteria.menu),
        (Recording.outcome, criteria.outcome),
    ):
        if value:
            query = query.where(column == value)
    if criteria.min_duration_s is not None:
        query = query.where(col(Recording.duration_s) >= criteria.min_duration_s)
    if criteria.max_duration_s is not None:
        query = query.where(col(Recording.duration_s) <= criteria.max_duration_s)
    if criteria.words:
        for word in criteria.words.split():
            matching = select(TranscriptSegment.recording_id).where(
                col(TranscriptSegment.text).like(_like(word), escape="\\")
            )
            query = query.where(col(Recording.id).in_(matching))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Recording.started_at).desc(), col(Recording.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return int(total), [recording_json(r) for r in rows]


def get_visible(
    session: Session, *, viewer: Viewer, recording_id: str, allow_deleted: bool = False
) -> Recording:
    """The recording if this viewer may see it; another agent's call looks like a missing one."""
    row = session.get(Recording, recording_id)
    if row is None or (not viewer.sees_all and row.agent != viewer.username):
        raise RecordingNotFound(recording_id=recording_id)
    if row.deleted_at is not None and not allow_deleted:
        raise RecordingDeleted(recording_id=recording_id)
    return row
