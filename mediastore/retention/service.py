"""Retention policies, the deletion job, manual deletion and holds; every change audited.

The clock of a recording starts when its interaction history was saved (the contact closed);
a recording with no saved history starts its clock when the recording ended. The most specific
policy wins: line and category, then line, then category, then the default in the settings.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from crm.interactions.models import Interaction
from crm.pii.guard import ensure_no_personal_data
from mediastore.crypto.fileformat import HEADER_BYTES, SLOT_OFFSET
from mediastore.recordings.errors import RecordingDeleted, RecordingNotFound, RecordingOnHold
from mediastore.recordings.ingest import FILE_PREFIX
from mediastore.recordings.models import Recording
from mediastore.retention.models import DisposalRecord, RetentionPolicy
from mediastore.store.staging import fsync_dir
from mediastore.store.store import MediaStore
from mediastore.transcripts.models import TranscriptSegment
from realtime.audit import service as audit
from realtime.db import Database
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow

log = logging.getLogger(__name__)

ORPHAN_MIN_AGE_S = 3600.0
SYSTEM = "system"


@dataclass(frozen=True)
class Rule:
    """The policy that applies to one recording."""

    line: str
    category: str
    days: int

    @property
    def label(self) -> str:
        return f"retention:{self.line or '*'}/{self.category or '*'}:{self.days}d"


@dataclass
class RetentionReport:
    """What one run of the job did."""

    erased: list[dict[str, Any]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "erased": self.erased,
            "held": self.held,
            "orphans": self.orphans,
            "failed": self.failed,
        }


# -- policies -----------------------------------------------------------------------------------


def _policy_json(policy: RetentionPolicy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "line": policy.line,
        "category": policy.category,
        "days": policy.days,
        "note": policy.note,
        "updated_by": policy.updated_by,
        "updated_at": policy.updated_at.isoformat(),
    }


def list_policies(session: Session) -> list[dict[str, Any]]:
    """Every policy, most specific first."""
    rows = session.exec(select(RetentionPolicy)).all()
    rows = sorted(rows, key=lambda p: (not p.line, not p.category, p.line, p.category))
    return [_policy_json(p) for p in rows]


def set_policy(
    session: Session, *, line: str, category: str, days: int, note: str, actor: str
) -> dict[str, Any]:
    """Create or change the policy of one line/category pair (audited)."""
    problems: dict[str, str] = {}
    if not 1 <= days <= 36500:
        problems["days"] = "1〜36500の日数を指定してください。"
    if len(line) > 32:
        problems["line"] = "回線は32文字以内で指定してください。"
    if len(category) > 100:
        problems["category"] = "分類は100文字以内で指定してください。"
    if len(note) > 200:
        problems["note"] = "備考は200文字以内で入力してください。"
    if problems:
        raise ValidationFailed(fields=problems)
    row = session.exec(
        select(RetentionPolicy).where(
            RetentionPolicy.line == line, RetentionPolicy.category == category
        )
    ).first()
    before = row.days if row else None
    if row is None:
        row = RetentionPolicy(
            line=line, category=category, days=days, updated_by=actor, updated_at=utcnow()
        )
    row.days, row.note, row.updated_by, row.updated_at = days, note, actor, utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="retention.policy.set",
        target=f"{line or '*'}/{category or '*'}",
        detail={"days": days, "before": before, "note": note},
    )
    return _policy_json(row)


def delete_policy(session: Session, *, policy_id: int, actor: str) -> bool:
    """Remove a policy (the next more general one applies); False if it did not exist."""
    row = session.get(RetentionPolicy, policy_id)
    if row is None:
        return False
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="retention.policy.delete",
        target=f"{row.line or '*'}/{row.category or '*'}",
        detail={"days": row.days},
    )
    return True


def rule_for(
    policies: list[RetentionPolicy], *, line: str, category: str, default_days: int
) -> Rule:
    """The most specific matching policy, else the default."""
    for want_line, want_category in ((line, category), (line, ""), ("", category)):
        for policy in policies:
            if (policy.line, policy.category) == (want_line, want_category) and (
                want_line or want_category
            ):
                return Rule(policy.line, policy.category, policy.days)
    for policy in policies:
        if not policy.line and not policy.category:
            return Rule("", "", policy.days)
    return Rule("", "", default_days)


# -- the job ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A recording whose period has ended."""

    recording_id: str
    rule: Rule
    clock_started_at: datetime
    hold: bool


def due_recordings(session: Session, *, now: datetime, default_days: int) -> list[Due]:
    """Recordings past their period (held ones included, flagged), oldest first."""
    policies = list(session.exec(select(RetentionPolicy)).all())
    rows = session.exec(
        select(Recording, Interaction)
        .join(Interaction, col(Interaction.contact_id) == col(Recording.contact_id), isouter=True)
        .where(col(Recording.deleted_at).is_(None))
        .order_by(col(Recording.started_at))
    ).all()
    found: list[Due] = []
    for recording, interaction in rows:
        if interaction is not None:
            _copy_history(recording, interaction)
            session.add(recording)
        category = recording.category
        rule = rule_for(policies, line=recording.did, category=category, default_days=default_days)
        start = interaction.saved_at if interaction is not None else recording.ended_at
        if start + timedelta(days=rule.days) <= now:
            found.append(Due(recording.id, rule, start, recording.hold))
    return found


def _copy_history(recording: Recording, interaction: Interaction) -> None:
    recording.outcome = interaction.outcome
    recording.category = interaction.category1
    if not recording.did and interaction.line:
        recording.did = interaction.line
    if not recording.menu and interaction.menu:
        recording.menu = interaction.menu


def run_retention(
    *, database: Database, store: MediaStore, now: datetime | None = None, default_days: int
) -> RetentionReport:
    """Erase every recording past its period that is not on hold; each erasure is logged."""
    at = now or utcnow()
    report = RetentionReport()
    with database.session() as session:
        due = due_recordings(session, now=at, default_days=default_days)
    for item in due:
        if item.hold:
            report.held.append(item.recording_id)
            continue
        try:
            with database.session() as session:
                record = erase(
                    session,
                    store=store,
                    recording_id=item.recording_id,
                    rule=item.rule.label,
                    reason="",
                    actor=SYSTEM,
                    clock_started_at=item.clock_started_at,
                )
            report.erased.append(
                {"recording_id": item.recording_id, "rule": record.rule, "file": record.file_id}
            )
        except Exception as exc:  # one bad file must not stop the others
            log.exception("retention: erasing %s failed", item.recording_id)
            report.failed[item.recording_id] = str(exc)
    report.orphans = sweep_orphans(database=database, store=store)
    return report


def sweep_orphans(
    *, database: Database, store: MediaStore, min_age_s: float = ORPHAN_MIN_AGE_S
) -> list[str]:
    """Erase recording files that no catalogue row names (a kill between store and commit)."""
    ids = [i for i in store.list_ids() if i.startswith(FILE_PREFIX)]
    if not ids:
        return []
    with database.session() as session:
        known = set(session.exec(select(Recording.file_id)).all())
    now = utcnow().timestamp()
    erased: list[str] = []
    for file_id in ids:
        if file_id in known:
            continue
        path = store.path_for(file_id)
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime < min_age_s:
                continue
            length = path.stat().st_size
            crypto_erase(store, file_id)
            with database.session() as session:
                session.add(
                    DisposalRecord(
                        recording_id=file_id[len(FILE_PREFIX) :][:36],
                        file_id=file_id,
                        file_length=length,
                        rule="orphan",
                        actor=SYSTEM,
                        erased_at=utcnow(),
                        file_present=True,
                    )
                )
                audit.record(session, actor=SYSTEM, action="recording.orphan.erase", target=file_id)
            erased.append(file_id)
    return erased


def crypto_erase(store: MediaStore, file_id: str) -> bool:
    """Overwrite the wrapped data key in place, then remove the file (crypto-erasure)."""
    path = store.path_for(file_id)
    try:
        handle = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        os.pwrite(handle, bytes(HEADER_BYTES - SLOT_OFFSET), SLOT_OFFSET)
        os.fsync(handle)
    finally:
        os.close(handle)
    removed = store.delete(file_id=file_id)
    fsync_dir(path.parent)
    return removed


def erase(
    session: Session,
    *,
    store: MediaStore,
    recording_id: str,
    rule: str,
    reason: str,
    actor: str,
    clock_started_at: datetime | None = None,
) -> DisposalRecord:
    """Erase one recording's audio, key and transcript; keep the row and a disposal record."""
    row = session.get(Recording, recording_id, with_for_update=True)
    if row is None:
        raise RecordingNotFound(recording_id=recording_id)
    if row.deleted_at is not None:
        raise RecordingDeleted(recording_id=recording_id)
    if row.hold:
        raise RecordingOnHold(recording_id=recording_id)
    present = crypto_erase(store, row.file_id)
    now = utcnow()
    row.deleted_at, row.deleted_reason, row.deleted_by = now, (reason or rule)[:200], actor
    session.add(row)
    session.execute(
        delete(TranscriptSegment).where(col(TranscriptSegment.recording_id) == recording_id)
    )
    record = DisposalRecord(
        recording_id=recording_id,
        file_id=row.file_id,
        file_length=row.file_length,
        rule=rule,
        reason=reason,
        actor=actor,
        clock_started_at=clock_started_at,
        erased_at=now,
        file_present=present,
    )
    session.add(record)
    audit.record(
        session,
        actor=actor,
        action="recording.erase",
        target=recording_id,
        detail={"rule": rule, "reason": reason, "file_present": present},
    )
    return record


def delete_manually(
    session: Session, *, store: MediaStore, recording_id: str, reason: str, actor: str
) -> DisposalRecord:
    """Erase one recording now, with a reason (refused while on hold)."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(fields={"reason": "削除の理由を200文字以内で入力してください。"})
    ensure_no_personal_data(fields={"reason": reason})
    return erase(
        session, store=store, recording_id=recording_id, rule="manual", reason=reason, actor=actor
    )


def set_hold(
    session: Session, *, recording_id: str, hold: bool, reason: str, actor: str
) -> Recording:
    """Set or clear the hold flag (a dispute is open: nothing deletes the recording)."""
    reason = reason.strip()
    if hold and (not reason or len(reason) > 200):
        raise ValidationFailed(fields={"reason": "保全の理由を200文字以内で入力してください。"})
    ensure_no_personal_data(fields={"reason": reason})
    row = session.get(Recording, recording_id)
    if row is None:
        raise RecordingNotFound(recording_id=recording_id)
    if row.deleted_at is not None:
        raise RecordingDeleted(recording_id=recording_id)
    row.hold, row.hold_reason = hold, reason if hold else ""
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="recording.hold.set" if hold else "recording.hold.clear",
        target=recording_id,
        detail={"reason": reason},
    )
    return row


def disposals(session: Session, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest disposal records."""
    rows = session.exec(
        select(DisposalRecord).order_by(col(DisposalRecord.id).desc()).limit(limit)
    ).all()
    return [
        {
            "recording_id": r.recording_id,
            "file_id": r.file_id,
            "file_length": r.file_length,
            "rule": r.rule,
            "reason": r.reason,
            "actor": r.actor,
            "clock_started_at": r.clock_started_at.isoformat() if r.clock_started_at else None,
            "erased_at": r.erased_at.isoformat(),
            "file_present": r.file_present,
        }
        for r in rows
    ]
