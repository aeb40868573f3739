"""Save, edit, read and search the interaction history (F-2.1.4, N-PRIV-1)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cms import service as cms
from cms.events import Channel, EventType
from cms.service import NewEvent
from crm.departments import service as departments
from crm.faq import service as faq
from crm.faq.exceptions import FaqNotFound
from crm.faq.service import UsageKind
from crm.interactions import categories
from crm.interactions.exceptions import (
    HistoryAlreadySaved,
    InteractionNotFound,
    PersonalDataInHistory,
)
from crm.interactions.exceptions import StaleVersion as StaleVersion
from crm.interactions.fields import (
    EDITABLE,
    ContactFacts,
    HistoryFields,
    parse_fields,
    parse_reason,
    refuse_unknown,
)
from crm.interactions.locking import begin_write
from crm.interactions.models import (
    Interaction,
    InteractionFaq,
    InteractionVersion,
    Outcome,
    WorkType,
)
from crm.pii.guard import find_personal_data
from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow


@dataclass(frozen=True)
class InteractionView:
    """One interaction as shown to agents and city staff (no personal data is ever stored)."""

    id: str
    contact_id: str
    channel: str
    line: str | None
    menu: str | None
    work_type: str
    category1: str
    category2: str
    section: str | None
    faq_ids: list[str]
    answer: str
    outcome: str
    handoff_dept: str | None
    started_at: datetime | None
    ended_at: datetime | None
    saved_at: datetime
    updated_at: datetime
    agent: str
    version: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (times as ISO 8601 UTC)."""
        data = asdict(self)
        for key in ("started_at", "ended_at", "saved_at", "updated_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


@dataclass(frozen=True)
class WrapupDone:
    """What the ACD needs to end the agent's wrap-up: the history is saved."""

    interaction_id: str
    contact_id: str
    agent: str
    channel: str
    saved_at: datetime
    wrapup_s: float


@dataclass(frozen=True)
class VersionView:
    """One saved version: who, when, why and the fields as they were."""

    version: int
    saved_by: str
    saved_at: datetime
    reason: str
    fields: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "saved_by": self.saved_by,
            "saved_at": self.saved_at.isoformat(),
            "reason": self.reason,
            "fields": self.fields,
        }


@dataclass(frozen=True)
class HistoryFilter:
    """City-staff search criteria; every one optional; the period is [start, end)."""

    start: datetime | None = None
    end: datetime | None = None
    channel: str | None = None
    line: str | None = None
    menu: str | None = None
    work_type: str | None = None
    category1: str | None = None
    category2: str | None = None
    section: str | None = None
    outcome: str | None = None
    handoff_dept: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class HistoryPage:
    """One page of search results, newest first, and the total that matched."""

    items: list[InteractionView]
    total: int
    page: int
    per_page: int


# --- saving ----------------------------------------------------------------------------------


# How the contact log names each outcome (cms.events.WrapupEnded.resolution, read by the KPIs).
RESOLUTION_OF: dict[Outcome, str] = {
    Outcome.ANSWERED: "in_center",
    Outcome.HANDOFF: "handed_off",
    Outcome.CALLBACK: "callback",
    Outcome.SWITCHBOARD_TRANSFER: "switchboard_transfer",
}


def save_history(
    session: Session,
    *,
    contact: ContactFacts,
    fields: HistoryFields,
    agent: str,
    at: datetime | None = None,
) -> WrapupDone:
    """Store an agent's history for one contact, append ``wrapup.ended``; commits."""
    now = at or utcnow()
    _refuse_personal_data({"answer": fields.answer})
    facts = _with_contact_log(session, contact)
    _check_references(session, fields)
    existing = _by_contact(session, facts.contact_id)
    if existing is not None:
        raise HistoryAlreadySaved(contact_id=facts.contact_id, interaction_id=existing.id)
    row = Interaction(
        id=str(uuid.uuid4()),
        contact_id=facts.contact_id,
        channel=facts.channel.value,
        line=facts.line,
        menu=facts.menu,
        started_at=facts.started_at,
        ended_at=facts.ended_at,
        saved_at=now,
        updated_at=now,
        agent=agent,
        version=1,
        **_field_values(fields),
    )
    session.add(row)
    session.add_all(InteractionFaq(interaction_id=row.id, faq_id=f) for f in fields.faq_ids)
    session.add(_version_row(row, list(fields.faq_ids), saved_by=agent, at=now, reason=""))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        other = _by_contact(session, facts.contact_id)
        raise HistoryAlreadySaved(
            contact_id=facts.contact_id, interaction_id=other.id if other else ""
        ) from None
    wrapup_s = max(0.0, (now - facts.ended_at).total_seconds()) if facts.ended_at else 0.0
    cms.append(
        session,
        event=NewEvent(
            type=EventType.WRAPUP_ENDED,
            occurred_at=now,
            contact_id=facts.contact_id,
            channel=facts.channel,
            line=facts.line,
            agent=agent,
            payload={
                "wrapup_s": round(wrapup_s, 3),
                "forced": False,
                "work_type": fields.work_type.value,
                "resolution": RESOLUTION_OF[fields.outcome],
                "section": fields.section,
                "category": fields.category1[:32] or None,
            },
        ),
    )
    for faq_id in fields.faq_ids:
        faq.record_usage(
            session, faq_id=faq_id, kind=UsageKind.CITE, agent=agent, contact_id=facts.contact_id
        )
    return WrapupDone(
        interaction_id=row.id,
        contact_id=facts.contact_id,
        agent=agent,
        channel=facts.channel.value,
        saved_at=now,
        wrapup_s=wrapup_s,
    )


def edit_history(
    session: Session,
    *,
    interaction_id: str,
    changes: Mapping[str, Any],
    expected_version: int,
    actor: str,
    reason: str = "",
    at: datetime | None = None,
) -> InteractionView:
    """Change the recorded fields as a new version, audited (field names only, no values)."""
    refuse_unknown(changes, allowed=EDITABLE)
    reason = parse_reason(reason)
    begin_write(session, table="interaction")
    row = _get_row(session, interaction_id)
    if row.version != expected_version:
        raise StaleVersion(interaction_id=row.id, expected=expected_version, current=row.version)
    current = _current_fields(session, row)
    merged = {**current, **changes}
    fields = parse_fields(merged)
    _refuse_personal_data({"answer": fields.answer, "reason": reason})
    _check_references(session, fields)
    new_values = {**_field_values(fields), "faq_ids": sorted(fields.faq_ids)}
    changed = sorted(k for k, v in new_values.items() if current.get(k) != v)
    if not changed:
        return _view(session, row)
    now = at or utcnow()
    for key, value in _field_values(fields).items():
        setattr(row, key, value)
    row.version += 1
    row.updated_at = now
    session.add(row)
    if "faq_ids" in changed:
        for link in session.exec(
            select(InteractionFaq).where(col(InteractionFaq.interaction_id) == row.id)
        ):
            session.delete(link)
        session.flush()
        session.add_all(InteractionFaq(interaction_id=row.id, faq_id=f) for f in fields.faq_ids)
    session.add(_version_row(row, list(fields.faq_ids), saved_by=actor, at=now, reason=reason))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        fresh = _get_row(session, interaction_id)
        raise StaleVersion(
            interaction_id=interaction_id, expected=expected_version, current=fresh.version
        ) from None
    audit.record(
        session,
        actor=actor,
        action="interaction-edited",
        target=row.id,
        detail={"version": row.version, "fields": changed, "reason_given": bool(reason)},
    )
    return _view(session, row)


# --- reading ---------------------------------------------------------------------------------


def get_history(session: Session, *, interaction_id: str) -> InteractionView:
    """One interaction as it is now."""
    return _view(session, _get_row(session, interaction_id))


def versions(session: Session, *, interaction_id: str) -> list[VersionView]:
    """Every saved version, oldest first."""
    row = _get_row(session, interaction_id)
    stmt = (
        select(InteractionVersion)
        .where(col(InteractionVersion.interaction_id) == row.id)
        .order_by(col(InteractionVersion.version))
    )
    return [
        VersionView(v.version, v.saved_by, v.saved_at, v.reason, json.loads(v.snapshot))
        for v in session.exec(stmt)
    ]


def search_history(
    session: Session, *, criteria: HistoryFilter, page: int = 1, per_page: int = 20
) -> HistoryPage:
    """Interactions matching every given criterion, newest first, one page at a time."""
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    when = func.coalesce(col(Interaction.started_at), col(Interaction.saved_at))
    conditions: list[Any] = []
    if criteria.start is not None:
        conditions.append(when >= criteria.start)
    if criteria.end is not None:
        conditions.append(when < criteria.end)
    for name in (
        "channel",
        "line",
        "menu",
        "work_type",
        "category1",
        "category2",
        "section",
        "outcome",
        "handoff_dept",
    ):
        value = getattr(criteria, name)
        if value:
            conditions.append(getattr(Interaction, name) == value)
    if criteria.text:
        conditions.append(col(Interaction.answer).ilike(_like(criteria.text), escape="\\"))
    total = session.exec(select(func.count()).select_from(Interaction).where(*conditions)).one()
    stmt = (
        select(Interaction)
        .where(*conditions)
        .order_by(when.desc(), col(Interaction.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = list(session.exec(stmt))
    links = _faq_links(session, [r.id for r in rows])
    items = [_view_with(r, links.get(r.id, [])) for r in rows]
    return HistoryPage(items=items, total=int(total), page=page, per_page=per_page)


def by_contacts(session: Session, *, contact_ids: Sequence[str]) -> dict[str, InteractionView]:
    """The interactions of the given contacts, by contact id."""
    found: dict[str, InteractionView] = {}
    ids = list(dict.fromkeys(contact_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = list(session.exec(select(Interaction).where(col(Interaction.contact_id).in_(chunk))))
        links = _faq_links(session, [r.id for r in rows])
        found.update((r.contact_id, _view_with(r, links.get(r.id, []))) for r in rows)
    return found


# --- helpers ---------------------------------------------------------------------------------


def _refuse_personal_data(texts: Mapping[str, str]) -> None:
    findings = find_personal_data(fields=texts)
    if findings:
        raise PersonalDataInHistory(findings=findings)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _with_contact_log(session: Session, contact: ContactFacts) -> ContactFacts:
    """Fill (and pin) the channel, line, menu and times from the contact log when it knows the
    contact: the log, not the browser, says which line a contact came in on."""
    facts = contact
    for event in cms.read(session, contact_id=contact.contact_id, batch=500):
        if event.channel:
            facts = replace(facts, channel=Channel(event.channel))
        if event.line:
            facts = replace(facts, line=event.line)
        if event.type == EventType.IVR_MENU_CHOSEN.value:
            facts = replace(facts, menu=str(cms.payload_of(event).get("menu", "")) or facts.menu)
        elif event.type == EventType.CONTACT_ANSWERED.value:
            facts = replace(facts, started_at=event.occurred_at)
        elif event.type == EventType.CONTACT_ENDED.value:
            facts = replace(facts, ended_at=event.occurred_at)
    return facts


def _check_references(session: Session, fields: HistoryFields) -> None:
    problems: dict[str, str] = {}
    if fields.category1:
        pairs = categories.known_pairs(session)
        if (fields.category1, fields.category2) not in pairs:
            key = "category2" if (fields.category1, "") in pairs else "category1"
            problems[key] = "分類一覧にない分類です。一覧から選んでください。"
    known = departments.known_ids(session) if (fields.section or fields.handoff_dept) else set()
    if fields.section and fields.section not in known:
        problems["section"] = "部署一覧にない係です。"
    if fields.handoff_dept and fields.handoff_dept not in known:
        problems["handoff_dept"] = "部署一覧にない係です。"
    missing = []
    for faq_id in fields.faq_ids:
        try:
            faq.get(session, faq_id=faq_id)
        except FaqNotFound:
            missing.append(faq_id)
    if missing:
        problems["faq_ids"] = "存在しないFAQです: " + "、".join(missing[:5])
    if problems:
        raise ValidationFailed(fields=problems)


def _field_values(fields: HistoryFields) -> dict[str, Any]:
    return {
        "work_type": fields.work_type.value,
        "category1": fields.category1,
        "category2": fields.category2,
        "section": fields.section,
        "answer": fields.answer,
        "outcome": fields.outcome.value,
        "handoff_dept": fields.handoff_dept,
    }


def _current_fields(session: Session, row: Interaction) -> dict[str, Any]:
    return {
        "work_type": row.work_type,
        "category1": row.category1,
        "category2": row.category2,
        "section": row.section,
        "answer": row.answer,
        "outcome": row.outcome,
        "handoff_dept": row.handoff_dept,
        "faq_ids": _faq_links(session, [row.id]).get(row.id, []),
    }


def _version_row(
    row: Interaction, faq_ids: list[str], *, saved_by: str, at: datetime, reason: str
) -> InteractionVersion:
    snapshot = {
        "work_type": row.work_type,
        "category1": row.category1,
        "category2": row.category2,
        "section": row.section,
        "faq_ids": faq_ids,
        "answer": row.answer,
        "outcome": row.outcome,
        "handoff_dept": row.handoff_dept,
    }
    return InteractionVersion(
        interaction_id=row.id,
        version=row.version,
        saved_by=saved_by,
        saved_at=at,
        reason=reason,
        snapshot=json.dumps(snapshot, ensure_ascii=False, sort_keys=True),
    )


def _by_contact(session: Session, contact_id: str) -> Interaction | None:
    stmt = select(Interaction).where(col(Interaction.contact_id) == contact_id)
    return session.exec(stmt).first()


def _get_row(session: Session, interaction_id: str) -> Interaction:
    row = session.get(Interaction, interaction_id[:36], populate_existing=True)
    if row is None or len(interaction_id) > 36:
        raise InteractionNotFound(interaction_id=interaction_id)
    return row


def _faq_links(session: Session, ids: list[str]) -> dict[str, list[str]]:
    if not ids:
        return {}
    stmt = (
        select(InteractionFaq)
        .where(col(InteractionFaq.interaction_id).in_(ids))
        .order_by(col(InteractionFaq.interaction_id), col(InteractionFaq.faq_id))
    )
    links: dict[str, list[str]] = {}
    for link in session.exec(stmt):
        links.setdefault(link.interaction_id, []).append(link.faq_id)
    return links


def _view(session: Session, row: Interaction) -> InteractionView:
    return _view_with(row, _faq_links(session, [row.id]).get(row.id, []))


def _view_with(row: Interaction, faq_ids: list[str]) -> InteractionView:
    return InteractionView(
        id=row.id,
        contact_id=row.contact_id,
        channel=row.channel,
        line=row.line,
        menu=row.menu,
        work_type=row.work_type,
        category1=row.category1,
        category2=row.category2,
        section=row.section,
        faq_ids=faq_ids,
        answer=row.answer,
        outcome=row.outcome,
        handoff_dept=row.handoff_dept,
        started_at=row.started_at,
        ended_at=row.ended_at,
        saved_at=row.saved_at,
        updated_at=row.updated_at,
        agent=row.agent,
        version=row.version,
    )


__all__ = [
    "HistoryFilter",
    "HistoryPage",
    "InteractionView",
    "Outcome",
    "StaleVersion",
    "VersionView",
    "WorkType",
    "WrapupDone",
    "by_contacts",
    "edit_history",
    "get_history",
    "save_history",
    "search_history",
    "versions",
]
