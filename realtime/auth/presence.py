"""Agents' sign-in and sign-out in the contact event log (F-2.1.6: CRM performance data)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from cms import service as events
from cms.events import EventType
from realtime.auth.permissions import Permission, Role, permissions_for
from realtime.timeutil import utcnow


def record(session: Session, *, username: str, roles: Iterable[Role], signed_in: bool) -> None:
    """Append agent.signed_in / agent.signed_out for users who work the desk."""
    if Permission.DESK_USE not in permissions_for(roles):
        return
    events.append(
        session,
        event=events.NewEvent(
            type=EventType.AGENT_SIGNED_IN if signed_in else EventType.AGENT_SIGNED_OUT,
            occurred_at=utcnow(),
            agent=username,
        ),
    )
