"""The city's 大分類/中分類 for the history, seeded from the FAQ categories."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from crm.faq import service as faq
from crm.interactions.models import HistoryCategory
from realtime.audit import service as audit


@dataclass(frozen=True)
class CategoryGroup:
    """A 大分類 and its 中分類, in the city's order."""

    name: str
    children: list[str]


def list_categories(session: Session) -> list[CategoryGroup]:
    """Every category pair, grouped by 大分類 (seeded from the FAQ on first use)."""
    ensure_seeded(session)
    stmt = select(HistoryCategory).order_by(col(HistoryCategory.position), col(HistoryCategory.id))
    groups: dict[str, list[str]] = {}
    for row in session.exec(stmt):
        children = groups.setdefault(row.category1, [])
        if row.category2:
            children.append(row.category2)
    return [CategoryGroup(name, children) for name, children in groups.items()]


def known_pairs(session: Session) -> set[tuple[str, str]]:
    """Every (大分類, 中分類) pair; each 大分類 also appears with an empty 中分類."""
    ensure_seeded(session)
    pairs: set[tuple[str, str]] = set()
    for c1, c2 in session.exec(select(HistoryCategory.category1, HistoryCategory.category2)):
        pairs.add((c1, c2))
        pairs.add((c1, ""))
    return pairs


def ensure_seeded(session: Session) -> int:
    """Seed from the FAQ categories when the table is empty; returns how many were added."""
    count = session.exec(select(func.count()).select_from(HistoryCategory)).one()
    if count:
        return 0
    return _add_missing(session)


def sync_from_faq(session: Session, *, actor: str) -> int:
    """Add every FAQ category pair not yet known (none is removed: history refers to them)."""
    added = _add_missing(session)
    audit.record(session, actor=actor, action="history-categories-synced", detail={"added": added})
    return added


def _add_missing(session: Session) -> int:
    existing = set(session.exec(select(HistoryCategory.category1, HistoryCategory.category2)))
    position = session.exec(select(func.coalesce(func.max(HistoryCategory.position), 0))).one()
    added = 0
    for group in faq.categories(session):
        for child, _count in group.children or [("", 0)]:
            if (group.name, child) in existing:
                continue
            position += 1
            session.add(HistoryCategory(category1=group.name, category2=child, position=position))
            existing.add((group.name, child))
            added += 1
    session.flush()
    return added
