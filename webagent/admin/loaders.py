"""What each settings screen lists, read straight from the services (one short transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from cms.reports import recipients
from cms.reports.mailconfig import ReportMailSettings
from crm.departments import service as departments
from crm.faq.models import FaqEntry
from crm.scripts import service as scripts
from inbox.sorting import service as sorting
from mediastore.retention import service as retention
from realtime.audit.models import AuditEntry
from realtime.auth import service as auth
from realtime.auth.permissions import Role
from switch.callpath import closures
from switch.callpath.models import (
    CallpathAgent,
    CallpathEmergency,
    CallpathLine,
    CallpathNode,
    CallpathQueue,
    CallpathSound,
)

FAQ_PAGE = 50
AUDIT_ROWS = 15

Loader = Callable[[Session, dict[str, str]], dict[str, Any]]


def recent_changes(session: Session, *, actions: tuple[str, ...]) -> list[AuditEntry]:
    """The newest audit entries of these actions (who changed the setting, and when)."""
    stmt = (
        select(AuditEntry)
        .where(col(AuditEntry.action).in_(actions))
        .order_by(col(AuditEntry.seq).desc())
        .limit(AUDIT_ROWS)
    )
    return list(session.exec(stmt))


def _lines(session: Session) -> list[dict[str, Any]]:
    return [
        {"did": r.did, "name_ja": r.name_ja, "root_node": r.root_node, "hours": json.loads(r.hours)}
        for r in session.exec(select(CallpathLine).order_by(col(CallpathLine.did)))
    ]


def _menus(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "node_id": r.node_id,
            "did": r.did,
            "menu_key": r.menu_key,
            "label_ja": r.label_ja,
            "prompt_key": r.prompt_key,
            "timeout_ms": r.timeout_ms,
            "retries": r.retries,
            "invalid_key": r.invalid_key,
            "failed_key": r.failed_key,
            "choices": json.loads(r.choices),
            "queue_id": r.queue_id,
            "switchboard": r.switchboard,
            "faq_category": r.faq_category,
            "script_work_type": r.script_work_type,
        }
        for r in session.exec(select(CallpathNode).order_by(col(CallpathNode.node_id)))
    ]


def _queues(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "queue_id": r.queue_id,
            "label_ja": r.label_ja,
            "skill_group": r.skill_group,
            "min_level": r.min_level,
            "priority": r.priority,
            "overflow_after_s": r.overflow_after_s,
            "overflow_to": r.overflow_to,
            "announce_every_s": r.announce_every_s,
        }
        for r in session.exec(select(CallpathQueue).order_by(col(CallpathQueue.queue_id)))
    ]


def _sounds(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "sound_key": r.sound_key,
            "label_ja": r.label_ja,
            "duration_s": r.duration_s,
            "uploaded_by": r.uploaded_by,
            "uploaded_at": r.uploaded_at,
        }
        for r in session.exec(select(CallpathSound).order_by(col(CallpathSound.sound_key)))
    ]


def lines(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {"lines": _lines(session), "menus": _menus(session)}


def closures_page(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {
        "closures": [c.to_json() for c in closures.list_closures(session)],
        "lines": _lines(session),
        "service_labels": closures.SERVICE_LABELS_JA,
    }


def menus(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {
        "menus": _menus(session),
        "lines": _lines(session),
        "queues": _queues(session),
        "sounds": _sounds(session),
    }


def sounds(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {"sounds": _sounds(session)}


def queues(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {"queues": _queues(session)}


def agents(session: Session, query: dict[str, str]) -> dict[str, Any]:
    rows = session.exec(select(CallpathAgent).order_by(col(CallpathAgent.username)))
    desk_roles = {Role.OPERATOR, Role.LEADER, Role.SUPERVISOR}
    return {
        "agents": [
            {"username": r.username, "extension": r.extension, "skills": json.loads(r.skills)}
            for r in rows
        ],
        "usernames": [u.username for u, roles in auth.list_users(session) if roles & desk_roles],
        "skill_groups": sorted({q["skill_group"] for q in _queues(session)}),
    }


def emergency(session: Session, query: dict[str, str]) -> dict[str, Any]:
    row = session.get(CallpathEmergency, 1)
    state = {
        "active": bool(row and row.active),
        "message_key": row.message_key if row else "",
        "overflow_number": (row.overflow_number if row else None) or "",
        "menu_node": (row.menu_node if row else None) or "",
    }
    return {
        "emergency": state,
        "changed_by": row.changed_by if row else "",
        "changed_at": row.changed_at if row else None,
        "sounds": _sounds(session),
        "menus": _menus(session),
    }


def faq(session: Session, query: dict[str, str]) -> dict[str, Any]:
    q = query.get("q", "").strip()[:100]
    stmt = select(FaqEntry).order_by(col(FaqEntry.faq_id))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            col(FaqEntry.faq_id).ilike(like)
            | col(FaqEntry.question).ilike(like)
            | col(FaqEntry.category1).ilike(like)
        )
    rows = list(session.exec(stmt.limit(FAQ_PAGE + 1)))
    return {
        "q": q,
        "more": len(rows) > FAQ_PAGE,
        "entries": [
            {
                "faq_id": e.faq_id,
                "category1": e.category1,
                "category2": e.category2,
                "question": e.question,
                "answer": e.answer,
                "dept_id": e.dept_id or "",
                "keywords": e.keywords,
                "needs_handoff": e.needs_handoff,
            }
            for e in rows[:FAQ_PAGE]
        ],
    }


def scripts_page(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {"scripts": [s.to_json() for s in scripts.list_scripts(session)]}


def departments_page(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {
        "departments": [
            {
                "dept_id": d.dept_id,
                "bu": d.bu,
                "ka": d.ka,
                "kakari": d.kakari,
                "extension": d.extension,
                "handles": d.handles,
            }
            for d in departments.list_all(session)
        ]
    }


def rules(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {"rules": [r.to_json() for r in sorting.list_rules(session)]}


def retention_page(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {"policies": retention.list_policies(session), "lines": _lines(session)}


def recipients_page(session: Session, query: dict[str, str]) -> dict[str, Any]:
    return {
        "recipients": recipients.list_recipients(session),
        "environment": ReportMailSettings().recipients(),
    }


LOADERS: dict[str, Loader] = {
    "lines": lines,
    "closures": closures_page,
    "menus": menus,
    "sounds": sounds,
    "queues": queues,
    "agents": agents,
    "emergency": emergency,
    "faq": faq,
    "scripts": scripts_page,
    "departments": departments_page,
    "rules": rules,
    "retention": retention_page,
    "recipients": recipients_page,
}
