"""Hear about saved interaction histories, whoever saved them (crm's route or service).

``crm.interactions.service.save_history`` inserts an ``Interaction`` row and commits. We watch
the ORM: a flush that inserts one remembers (contact, agent) in the session; the commit hands
them to the listener registered for that database engine. So wrap-up ends on the history's own
commit (F-2.1.4) without the CRM package knowing about the ACD.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crm.interactions.models import Interaction

Listener = Callable[[str, str], None]
_KEY = "callpath_histories"
_listeners: dict[int, Listener] = {}
_installed = False


def _after_flush(session: Session, _context: Any) -> None:
    saved = [(o.contact_id, o.agent) for o in session.new if isinstance(o, Interaction)]
    if saved:
        session.info.setdefault(_KEY, []).extend(saved)


def _after_commit(session: Session) -> None:
    saved = session.info.pop(_KEY, None)
    if not saved:
        return
    bind = session.get_bind()
    listener = _listeners.get(id(bind.engine if not isinstance(bind, Engine) else bind))
    if listener is None:
        return
    for contact_id, agent in saved:
        listener(contact_id, agent)


def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


def listen(engine: Engine, listener: Listener) -> None:
    """Call ``listener(contact_id, agent)`` after each committed history on ``engine``."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
        _installed = True
    _listeners[id(engine)] = listener


def forget(engine: Engine) -> None:
    """Stop listening for ``engine``."""
    _listeners.pop(id(engine), None)
