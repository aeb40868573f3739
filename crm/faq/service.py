"""FAQ knowledge (F-2.1.3, F-2.1.6): import/export, drill-down, search, usage and ranking."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cms import service as cms
from cms.events import EventType
from cms.service import NewEvent
from crm.departments import service as departments
from crm.faq import importer
from crm.faq.csvfile import ID_PATTERN, normalised_id
from crm.faq.exceptions import FaqNotFound
from crm.faq.models import FaqEntry, FaqRevision, FaqUsage
from crm.faq.search import FaqIndex, IndexDoc
from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow

CITE_WEIGHT = 2
"""A citation (the answer given to a caller) counts as two openings in the ranking."""
MAX_LIMIT = 100


class UsageKind(StrEnum):
    OPEN = "open"
    CITE = "cite"


@dataclass(frozen=True)
class ImportWarning:
    """A row that was imported but needs attention."""

    line: int
    faq_id: str
    message_ja: str


@dataclass(frozen=True)
class FaqImport:
    """What an import changed, and its warnings."""

    created: int
    updated: int
    unchanged: int
    encoding: str
    warnings: list[ImportWarning]


@dataclass(frozen=True)
class SearchResult:
    """One hit, best first; ``score`` includes the small usage boost."""

    faq_id: str
    question: str
    category1: str
    category2: str
    dept_id: str | None
    needs_handoff: bool
    score: float


@dataclass(frozen=True)
class Category:
    """A 大分類 with its 中分類 and entry counts, for drill-down."""

    name: str
    count: int
    children: list[tuple[str, int]]


@dataclass(frozen=True)
class Referenced:
    """An entry and how often it was used."""

    faq_id: str
    question: str
    opened: int
    cited: int

    @property
    def uses(self) -> int:
        return self.opened + CITE_WEIGHT * self.cited


_FIELDS = ("category1", "category2", "question", "answer", "dept_id", "keywords", "needs_handoff")


def import_csv(session: Session, *, data: bytes, actor: str, source: str = "") -> FaqImport:
    """Upsert every row by faq_id (all or nothing); unknown dept_id is kept with a warning."""
    now = utcnow()
    parsed = importer.parse(data, now=now)
    known = departments.known_ids(session)
    warnings = [
        ImportWarning(
            parsed.lines[e.faq_id],
            e.faq_id,
            f"部署ID {e.dept_id} は部署一覧にありません（参照はそのまま保存しました）。",
        )
        for e in parsed.entries
        if e.dept_id and e.dept_id not in known
    ]
    ids = [e.faq_id for e in parsed.entries]
    existing: dict[str, FaqEntry] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = select(FaqEntry).where(col(FaqEntry.faq_id).in_(chunk))
        existing.update((e.faq_id, e) for e in session.exec(stmt))
    created = updated = unchanged = 0
    for entry in parsed.entries:
        old = existing.get(entry.faq_id)
        if old is None:
            session.add(entry)
            created += 1
        elif any(getattr(old, f) != getattr(entry, f) for f in _FIELDS):
            for f in _FIELDS:
                setattr(old, f, getattr(entry, f))
            old.updated_at = now
            session.add(old)
            updated += 1
        else:
            unchanged += 1
    if created or updated:
        _bump(session, content=True)
    audit.record(
        session,
        actor=actor,
        action="faq-imported",
        target=source[:255],
        detail={
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "warnings": len(warnings),
            "encoding": parsed.encoding,
        },
    )
    session.flush()
    return FaqImport(created, updated, unchanged, parsed.encoding, warnings)


def export_csv(session: Session) -> str:
    """Every entry as CSV in the import format, in faq_id order."""
    return importer.write(session.exec(select(FaqEntry).order_by(col(FaqEntry.faq_id))))


def get(session: Session, *, faq_id: str) -> FaqEntry:
    """One entry by id."""
    entry = session.get(FaqEntry, faq_id)
    if entry is None:
        raise FaqNotFound(faq_id=faq_id)
    return entry


def categories(session: Session) -> list[Category]:
    """The 大分類/中分類 tree with entry counts, in first-id order (the city's order)."""
    stmt = select(FaqEntry.category1, FaqEntry.category2).order_by(col(FaqEntry.faq_id))
    order: dict[str, Counter[str]] = {}
    for c1, c2 in session.exec(stmt):
        order.setdefault(c1, Counter())[c2] += 1
    return [
        Category(name, sum(children.values()), list(children.items()))
        for name, children in order.items()
    ]


def list_entries(
    session: Session, *, category1: str | None = None, category2: str | None = None
) -> list[FaqEntry]:
    """Entries under a category (drill-down), in id order."""
    stmt = select(FaqEntry)
    if category1 is not None:
        stmt = stmt.where(col(FaqEntry.category1) == category1)
    if category2 is not None:
        stmt = stmt.where(col(FaqEntry.category2) == category2)
    return list(session.exec(stmt.order_by(col(FaqEntry.faq_id))))


def search(session: Session, *, query: str, limit: int = 10) -> list[SearchResult]:
    """Keyword search in Japanese across the variants callers use; best first."""
    limit = max(0, min(limit, MAX_LIMIT))
    index, entries = _current_index(session)
    return [
        SearchResult(
            faq_id=hit.faq_id,
            question=entries[hit.faq_id].question,
            category1=entries[hit.faq_id].category1,
            category2=entries[hit.faq_id].category2,
            dept_id=entries[hit.faq_id].dept_id,
            needs_handoff=entries[hit.faq_id].needs_handoff,
            score=round(hit.score, 4),
        )
        for hit in index.search(query, limit=limit)
    ]


def record_usage(
    session: Session,
    *,
    faq_id: str,
    kind: UsageKind,
    agent: str | None = None,
    contact_id: str | None = None,
    at: datetime | None = None,
) -> FaqUsage:
    """Count an agent opening or citing an entry and append ``faq.used``; commits."""
    get(session, faq_id=faq_id)
    when = at or utcnow()
    stmt = update(FaqUsage).where(col(FaqUsage.faq_id) == faq_id)
    if kind is UsageKind.OPEN:
        stmt = stmt.values(opened=col(FaqUsage.opened) + 1, last_used_at=when)
    else:
        stmt = stmt.values(cited=col(FaqUsage.cited) + 1, last_used_at=when)
    if session.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(
                    FaqUsage(
                        faq_id=faq_id,
                        opened=int(kind is UsageKind.OPEN),
                        cited=int(kind is UsageKind.CITE),
                        last_used_at=when,
                    )
                )
        except IntegrityError:
            session.execute(stmt)
    _bump(session, usage=True)
    cms.append(
        session,
        event=NewEvent(
            type=EventType.FAQ_USED,
            occurred_at=when,
            contact_id=contact_id,
            agent=agent,
            payload={"faq_id": faq_id},
        ),
    )
    usage = session.get(FaqUsage, faq_id, populate_existing=True)
    assert usage is not None
    return usage


def most_referenced(session: Session, *, limit: int = 10) -> list[Referenced]:
    """The entries agents used most (a citation counts twice), most used first."""
    limit = max(0, min(limit, MAX_LIMIT))
    uses = col(FaqUsage.opened) + CITE_WEIGHT * col(FaqUsage.cited)
    stmt = (
        select(FaqUsage.faq_id, FaqEntry.question, FaqUsage.opened, FaqUsage.cited)
        .join(FaqEntry, col(FaqEntry.faq_id) == col(FaqUsage.faq_id))
        .where(uses > 0)
        .order_by(uses.desc(), col(FaqUsage.last_used_at).desc(), col(FaqUsage.faq_id))
        .limit(limit)
    )
    return [Referenced(*row) for row in session.exec(stmt)]


# --- the in-process index, refreshed when the revision row changes -------------------------


@dataclass
class _Cached:
    content: int
    usage: int
    index: FaqIndex
    entries: dict[str, FaqEntry]


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def _bump(session: Session, *, content: bool = False, usage: bool = False) -> None:
    """Mark entries or usage as changed with a fresh random token (a rolled-back change's token
    is never reused, so no process keeps an index built from data that was not committed)."""
    values: dict[str, int] = {}
    if content:
        values["content"] = secrets.randbits(62)
    if usage:
        values["usage"] = secrets.randbits(62)
    stmt = update(FaqRevision).where(col(FaqRevision.id) == 1).values(values)
    if session.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
        session.add(FaqRevision(id=1, **values))
        session.flush()


def _revision(session: Session) -> tuple[int, int]:
    stmt = select(FaqRevision.content, FaqRevision.usage).where(col(FaqRevision.id) == 1)
    row = session.exec(stmt).first()
    return (row[0], row[1]) if row else (0, 0)


def _usage_counts(session: Session) -> dict[str, int]:
    stmt = select(FaqUsage.faq_id, FaqUsage.opened, FaqUsage.cited)
    return {fid: opened + CITE_WEIGHT * cited for fid, opened, cited in session.exec(stmt)}


def _cache_key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=True)


def _current_index(session: Session) -> tuple[FaqIndex, dict[str, FaqEntry]]:
    key = _cache_key(session)
    content, usage = _revision(session)
    cached = _cache.get(key)
    if cached is not None and cached.content == content and cached.usage == usage:
        return cached.index, cached.entries
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None or cached.content != content:
            rows = list(session.exec(select(FaqEntry).order_by(col(FaqEntry.faq_id))))
            index = FaqIndex(
                (
                    IndexDoc(e.faq_id, e.question, e.answer, e.category1, e.category2, e.keywords)
                    for e in rows
                ),
                usage=_usage_counts(session),
            )
            cached = _Cached(content, usage, index, {e.faq_id: e for e in rows})
        elif cached.usage != usage:
            cached.index.set_usage(_usage_counts(session))
            cached.usage = usage
        _cache[key] = cached
        return cached.index, cached.entries


def refresh_index(session: Session) -> int:
    """Rebuild this database's index now (after out-of-band changes); returns the entry count."""
    with _cache_lock:
        _cache.pop(_cache_key(session), None)
    index, _ = _current_index(session)
    return len(index)


def save_entry(session: Session, *, faq_id: str, data: Mapping[str, Any], actor: str) -> FaqEntry:
    """Create or change one entry from the admin screen (field-level Japanese errors; audited)."""
    problems: dict[str, str] = {}
    key = normalised_id(faq_id)
    if not ID_PATTERN.match(key):
        problems["faq_id"] = "FAQ IDは英数字（と - _ .）32文字以内で入力してください。"
    values: dict[str, str] = {}
    for name in ("category1", "category2", "question", "answer", "keywords", "dept_id"):
        raw = data.get(name, "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            problems[name] = "文字列で入力してください。"
            raw = ""
        values[name] = raw.strip()
    for name in ("question", "answer"):
        if not values[name]:
            problems[name] = "入力してください。"
    for name, limit in importer.LIMITS.items():
        if len(values[name]) > limit:
            problems[name] = f"{limit}文字以内で入力してください。"
    dept_id = normalised_id(values["dept_id"])
    if dept_id and not ID_PATTERN.match(dept_id):
        problems["dept_id"] = "部署IDは英数字32文字以内で入力してください。"
    elif dept_id and dept_id not in departments.known_ids(session):
        problems["dept_id"] = "部署一覧にない部署IDです。"
    handoff = data.get("needs_handoff", False)
    if not isinstance(handoff, bool):
        problems["needs_handoff"] = "はい・いいえで指定してください。"
    if problems:
        raise ValidationFailed(fields=problems)
    now = utcnow()
    entry = session.get(FaqEntry, key)
    created = entry is None
    if entry is None:
        entry = FaqEntry(faq_id=key, question="", answer="", updated_at=now)
    entry.category1, entry.category2 = values["category1"], values["category2"]
    entry.question, entry.answer = values["question"], values["answer"]
    entry.keywords = " ".join(values["keywords"].split())
    entry.dept_id = dept_id or None
    entry.needs_handoff = bool(handoff)
    entry.updated_at = now
    session.add(entry)
    _bump(session, content=True)
    audit.record(
        session,
        actor=actor,
        action="faq-entry-created" if created else "faq-entry-changed",
        target=key,
        detail={"category1": entry.category1, "dept_id": entry.dept_id or ""},
    )
    session.flush()
    return entry


def delete_entry(session: Session, *, faq_id: str, actor: str) -> None:
    """Remove one entry and its usage counts (audited)."""
    entry = get(session, faq_id=normalised_id(faq_id))
    usage = session.get(FaqUsage, entry.faq_id)
    if usage is not None:
        session.delete(usage)
    session.delete(entry)
    _bump(session, content=True)
    audit.record(session, actor=actor, action="faq-entry-deleted", target=entry.faq_id)
    session.flush()
