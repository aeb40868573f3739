"""Store a finished call recording: check the WAV, encrypt it, catalogue it, drop the plain file.

The call path calls :func:`ingest_recording` when FreeSWITCH (or the stand-in) reports
RECORD_STOP with the file path; see docs/mediastore.md ("Recordings").
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from cms.events import Channel, EventType
from cms.service import NewEvent, append
from crm.interactions.models import Interaction
from mediastore.recordings.errors import RecordingExists, RecordingMetadataInvalid
from mediastore.recordings.models import Recording
from mediastore.recordings.wavcheck import WavFacts, inspect_wav
from mediastore.store.store import MediaStore
from mediastore.transcripts.queue import enqueue
from realtime.db import Database
from realtime.timeutil import utcnow

log = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$")
FILE_PREFIX = "rec-"


def file_id_for(recording_id: str) -> str:
    """The media store id of a recording (prefixed, so orphans can be told from other media)."""
    return FILE_PREFIX + recording_id


@dataclass(frozen=True)
class RecordingMeta:
    """What the call path knows when the recording stops (no personal data)."""

    contact_id: str
    started_at: datetime
    ended_at: datetime
    agent: str = ""
    did: str = ""
    menu: str = ""
    recording_id: str = ""

    def checked(self) -> RecordingMeta:
        """The metadata with a recording id, or a clear error."""
        if not self.contact_id or len(self.contact_id) > 36:
            raise RecordingMetadataInvalid(problem="contact_id must be 1-36 characters")
        if self.started_at.tzinfo is None or self.ended_at.tzinfo is None:
            raise RecordingMetadataInvalid(problem="times must be timezone-aware")
        if self.ended_at < self.started_at:
            raise RecordingMetadataInvalid(problem="ended_at is before started_at")
        for name, value, limit in (("agent", self.agent, 64), ("did", self.did, 32)):
            if len(value) > limit:
                raise RecordingMetadataInvalid(problem=f"{name} longer than {limit}")
        if len(self.menu) > 32:
            raise RecordingMetadataInvalid(problem="menu longer than 32")
        recording_id = self.recording_id or str(uuid.uuid4())
        if not _ID.match(recording_id):
            raise RecordingMetadataInvalid(problem="recording_id: 1-36 of A-Z a-z 0-9 . _ -")
        return RecordingMeta(
            contact_id=self.contact_id,
            started_at=self.started_at,
            ended_at=self.ended_at,
            agent=self.agent,
            did=self.did,
            menu=self.menu,
            recording_id=recording_id,
        )


def ingest_recording(
    *,
    database: Database,
    store: MediaStore,
    path: Path,
    metadata: RecordingMeta,
    transcribe: bool = False,
    keep_source: bool = False,
) -> Recording:
    """Validate, encrypt and catalogue one WAV; on any error nothing is stored.

    The plain file is deleted once the catalogue row is committed (unless ``keep_source``).
    """
    meta = metadata.checked()
    facts = inspect_wav(path)
    recording_id = meta.recording_id
    with database.session() as session:
        if session.get(Recording, recording_id) is not None:
            raise RecordingExists(recording_id=recording_id)
    file_id = file_id_for(recording_id)
    stored = store.write_file(file_id=file_id, source=path)
    try:
        with database.session() as session:
            row = _catalogue(session, meta=meta, facts=facts, length=stored.length)
            row.key_id = stored.key_id
            session.add(row)
            session.flush()
            _announce(session, row)
            if transcribe:
                enqueue(session, recording_id=recording_id, requested_by="system")
    except BaseException:
        store.delete(file_id=file_id)
        raise
    if not keep_source:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    log.info("recording %s stored (%.1f s)", recording_id, facts.duration_s)
    return row


def _catalogue(session: Session, *, meta: RecordingMeta, facts: WavFacts, length: int) -> Recording:
    interaction = session.exec(
        select(Interaction).where(Interaction.contact_id == meta.contact_id)
    ).first()
    return Recording(
        id=meta.recording_id,
        contact_id=meta.contact_id,
        agent=meta.agent,
        did=meta.did or (interaction.line or "" if interaction else ""),
        menu=meta.menu or (interaction.menu or "" if interaction else ""),
        started_at=meta.started_at,
        ended_at=meta.ended_at,
        duration_s=round(facts.duration_s, 3),
        channels=facts.channels,
        sample_rate=facts.sample_rate,
        outcome=interaction.outcome if interaction else "",
        category=interaction.category1 if interaction else "",
        file_id=file_id_for(meta.recording_id),
        file_length=length,
        key_id="",
        stored_at=utcnow(),
    )


def _announce(session: Session, row: Recording) -> None:
    append(
        session,
        event=NewEvent(
            type=EventType.RECORDING_STORED,
            occurred_at=row.ended_at,
            contact_id=row.contact_id,
            channel=Channel.CALL,
            line=row.did or None,
            agent=row.agent or None,
            source="mediastore",
            payload={"recording_id": row.id, "duration_s": row.duration_s},
        ),
    )
