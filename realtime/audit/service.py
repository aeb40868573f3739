"""Append to and verify the audit log.

Each entry's hash covers its fields and the previous entry's hash, so a changed, inserted or
deleted entry breaks the chain from that point. Deleting the newest entries is caught against a
head exported earlier and kept elsewhere (``madoguchi audit head``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from realtime.audit.models import AuditEntry, AuditHead
from realtime.timeutil import utcnow

GENESIS = "0" * 64
_append_lock = threading.Lock()


@dataclass(frozen=True)
class HeadRef:
    """The chain's head: where an exported copy pins the log."""

    seq: int
    entry_hash: str

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "entry_hash": self.entry_hash})

    @classmethod
    def from_json(cls, text: str) -> HeadRef:
        data = json.loads(text)
        return cls(seq=int(data["seq"]), entry_hash=str(data["entry_hash"]))


@dataclass(frozen=True)
class VerifyResult:
    """What verification found; ``first_bad_seq`` names the first entry that fails."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def encode_field(value: str) -> str:
    """One-line text safe against log injection: control characters become escapes."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def encode_detail(detail: Mapping[str, Any] | None) -> str:
    """Canonical JSON for the detail map (sorted keys, escaped control characters)."""
    return json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str)


def compute_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    outcome: str,
    target: str,
    ip: str,
    detail: str,
    prev_hash: str,
) -> str:
    """The SHA-256 of an entry's canonical form."""
    canonical = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, outcome, target, ip, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _entry_hash(entry: AuditEntry) -> str:
    return compute_hash(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        outcome=entry.outcome,
        target=entry.target,
        ip=entry.ip,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    outcome: str = "success",
    target: str = "",
    ip: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits with the change it records)."""
    with _append_lock:
        # Take the write lock on the head row first (SQLite: the database; PostgreSQL: the row),
        # so two writers can never chain onto the same previous entry.
        session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(seq=AuditHead.seq))
        head = session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
        if head is None:
            head = AuditHead(id=1, seq=0, entry_hash=GENESIS)
            session.add(head)
        at = utcnow()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=at,
            actor=encode_field(actor)[:64],
            action=encode_field(action)[:64],
            outcome=encode_field(outcome)[:16],
            target=encode_field(target)[:255],
            ip=encode_field(ip)[:64],
            detail=encode_detail(detail),
            prev_hash=head.entry_hash,
            entry_hash="",
        )
        entry.entry_hash = _entry_hash(entry)
        session.add(entry)
        head.seq = entry.seq
        head.entry_hash = entry.entry_hash
        session.add(head)
        session.flush()
        return entry


def current_head(session: Session) -> HeadRef:
    """The newest entry's sequence number and hash."""
    last = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    if last is None:
        return HeadRef(seq=0, entry_hash=GENESIS)
    return HeadRef(seq=last.seq, entry_hash=last.entry_hash)


def verify(session: Session, *, expected_head: HeadRef | None = None) -> VerifyResult:
    """Walk the chain from the first entry; report the first entry that does not hold."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    stmt = select(AuditEntry).order_by(col(AuditEntry.seq)).execution_options(yield_per=1000)
    rows = session.exec(stmt)
    try:
        for entry in rows:
            if entry.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, "entry missing (sequence gap)")
            if entry.prev_hash != prev_hash:
                return VerifyResult(False, checked, entry.seq, "previous-hash link broken")
            if _entry_hash(entry) != entry.entry_hash:
                return VerifyResult(False, checked, entry.seq, "entry content changed")
            prev_hash = entry.entry_hash
            expected_seq += 1
            checked += 1
    finally:
        rows.close()
    if expected_head is not None and expected_head.seq > 0:
        pinned = session.get(AuditEntry, expected_head.seq)
        if pinned is None:
            return VerifyResult(
                False, checked, expected_head.seq, "entries deleted after the exported head"
            )
        if pinned.entry_hash != expected_head.entry_hash:
            return VerifyResult(False, checked, pinned.seq, "does not match the exported head")
    head = session.get(AuditHead, 1)
    if head is not None and checked and head.seq != checked:
        return VerifyResult(False, checked, checked + 1, "head row disagrees with the entries")
    return VerifyResult(True, checked)


def recent(session: Session, *, limit: int = 100) -> list[AuditEntry]:
    """The newest entries, newest first."""
    stmt = select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(limit)
    return list(session.exec(stmt))
