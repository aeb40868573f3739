"""The screen pop (F-1.4.1-F-1.4.3, F-2.1.1): what the agent's desk shows when a call is offered.

It carries what the agent needs to answer, and nothing about the caller: no number, no name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from crm.faq import service as faq
from crm.scripts import service as scripts
from switch.callpath.config import MenuNode

FAQ_ENTRY_POINTS = 5


@dataclass(frozen=True)
class MenuContent:
    """What a menu's pop shows besides the call: its talk script and FAQ entry points."""

    script: dict[str, Any] | None
    category: str
    entries: tuple[dict[str, str], ...]


def menu_content(session: Session, *, menu: MenuNode | None) -> MenuContent:
    """The menu's talk script and its FAQ 大分類's first entries (read from crm)."""
    script = None
    if menu is not None:
        found = scripts.script_for(
            session, menu=menu.menu_key, work_type=menu.script_work_type or None
        )
        script = found.to_json() if found is not None else None
    entries: list[dict[str, str]] = []
    category = menu.faq_category if menu is not None else ""
    if category:
        for entry in faq.list_entries(session, category1=category)[:FAQ_ENTRY_POINTS]:
            entries.append(
                {
                    "faq_id": entry.faq_id,
                    "question": entry.question,
                    "category2": entry.category2,
                }
            )
    return MenuContent(script=script, category=category, entries=tuple(entries))


def pop_payload(
    content: MenuContent,
    *,
    contact_id: str,
    did: str,
    line_name: str,
    menu: MenuNode | None,
    queue_id: str,
    queue_label: str,
    waited_s: float,
) -> dict[str, Any]:
    """The pop's payload: line, menu, wait, the menu's talk script and FAQ entry points."""
    return {
        "contact_id": contact_id,
        "channel": "call",
        "line": {"did": did, "label": line_name},
        "menu": (
            {"key": menu.menu_key, "label": menu.label_ja, "node": menu.node_id}
            if menu is not None
            else None
        ),
        "queue": {"id": queue_id, "label": queue_label},
        "waited_s": round(waited_s, 1),
        "script": content.script,
        "faq": {"category": content.category, "entries": [dict(e) for e in content.entries]},
        "offered_at_ms": int(time.time() * 1000),  # epoch ms of the offer (screen-pop latency)
    }
