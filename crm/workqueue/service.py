"""The shared work queue (F-2.1.5): one model and one set of rules for calls, e-mails, faxes
and call-backs.

Rules: an agent on a call is offered nothing else; an agent working a mail, fax or call-back is
offered only calls, and accepting a call parks that work. Every change is a conditional UPDATE
on the item's ``version``, so two agents can never take the same item. A call-back's number is
sealed with :class:`SecretBox` (purpose ``callback-number``), shown only to the agent working
it, and erased when the item closes; it never reaches the history or the contact log.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, update
from sqlmodel import Session, col, select

from cms import service as cms
from cms.events import Channel, EventType
from cms.service import NewEvent
from crm.departments import service as departments
from crm.interactions.locking import begin_write
from crm.workqueue.exceptions import AgentOnCall, ItemChanged, ItemNotFound
from crm.workqueue.models import OPEN_STATES, ItemKind, ItemResult, ItemState, WorkItem
from realtime.audit import service as audit
from realtime.auth.secretbox import SecretBox
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow

MAIL_DUE = timedelta(hours=24)
"""E-mails and faxes must be answered within 24 hours of arrival (S-M1, S-M2)."""
CALLBACK_DUE = timedelta(hours=24)
BOX_PURPOSE = "callback-number"
# Japanese numbers: 11 digits for mobile, IP and 0800 numbers, 10 digits for everything else.
_NUMBER = re.compile(r"^(?:0[5-9]0\d{8}|0800\d{7}|0(?![5-9]0)\d{9})$")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー()（）]")

RESULTS_FOR: dict[ItemKind, frozenset[ItemResult]] = {
    ItemKind.CALL: frozenset({ItemResult.HANDLED, ItemResult.CANCELLED}),
    ItemKind.EMAIL: frozenset({ItemResult.REPLIED, ItemResult.FORWARDED, ItemResult.CANCELLED}),
    ItemKind.FAX: frozenset({ItemResult.REPLIED, ItemResult.FORWARDED, ItemResult.CANCELLED}),
    ItemKind.CALLBACK: frozenset({ItemResult.REACHED, ItemResult.UNREACHED, ItemResult.CANCELLED}),
}


@dataclass(frozen=True)
class WorkItemView:
    """An item as agents see it in the to-do list (never the call-back number itself)."""

    id: str
    kind: str
    state: str
    skill: str | None
    owner: str | None
    contact_id: str
    line: str | None
    received_at: datetime
    due_at: datetime
    taken_at: datetime | None
    completed_at: datetime | None
    result: str | None
    result_dept: str | None
    has_number: bool
    version: int

    def overdue(self, now: datetime) -> bool:
        """Still open past its due time."""
        return self.state != ItemState.DONE.value and now > self.due_at

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items()
        }
        data["overdue"] = self.overdue(now or utcnow())
        return data


def number_box(server_secret: str) -> SecretBox:
    """The box that seals call-back numbers."""
    return SecretBox(server_secret, purpose=BOX_PURPOSE)


def normalise_number(raw: str) -> str:
    """A Japanese phone number as digits only, or ValidationFailed (never echoing it)."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("+81"):
        digits = "0" + digits[3:].removeprefix("0")
    if not _NUMBER.match(digits):
        raise ValidationFailed(
            fields={
                "number": "電話番号は0から始まる10桁（携帯電話などは11桁）の"
                "数字で入力してください。"
            }
        )
    return digits


# --- entering the queue ---------------------------------------------------------------------


def enqueue(
    session: Session,
    *,
    kind: ItemKind,
    contact_id: str | None = None,
    skill: str | None = None,
    line: str | None = None,
    source_ref: str | None = None,
    received_at: datetime | None = None,
    due_at: datetime | None = None,
    at: datetime | None = None,
) -> WorkItemView:
    """Queue a call, e-mail or fax (mail and fax are due 24 hours after arrival)."""
    if kind is ItemKind.CALLBACK:
        raise ValueError("use request_callback for call-backs")
    now = at or utcnow()
    received = received_at or now
    mail = kind in (ItemKind.EMAIL, ItemKind.FAX)
    due = received + MAIL_DUE if mail else (due_at or received)
    item = _new_item(kind, contact_id, skill, line, source_ref, received, due, now, number_enc=None)
    session.add(item)
    session.flush()
    return _view(item)


def request_callback(
    session: Session,
    *,
    number: str,
    box: SecretBox,
    contact_id: str | None = None,
    skill: str | None = None,
    line: str | None = None,
    agent: str | None = None,
    due_at: datetime | None = None,
    at: datetime | None = None,
) -> WorkItemView:
    """Queue a call-back; the number is sealed in the item only; appends ``callback.requested``
    (without the number) and commits."""
    digits = normalise_number(number)
    now = at or utcnow()
    due = due_at or now + CALLBACK_DUE
    if due < now:
        raise ValidationFailed(fields={"due_at": "折り返し期限は現在より後にしてください。"})
    item = _new_item(
        ItemKind.CALLBACK, contact_id, skill, line, None, now, due, now, number_enc=box.seal(digits)
    )
    session.add(item)
    session.flush()
    cms.append(
        session,
        event=NewEvent(
            type=EventType.CALLBACK_REQUESTED,
            occurred_at=now,
            contact_id=item.contact_id,
            channel=Channel.CALLBACK,
            line=line,
            agent=agent,
        ),
    )
    return _view(item)


# --- offering and taking --------------------------------------------------------------------


def offer_next(
    session: Session,
    *,
    agent: str,
    skills: Iterable[str],
    agent_busy_on_call: bool,
    at: datetime | None = None,
) -> WorkItemView | None:
    """Reserve the next item for the agent by the same skill rules for every kind: calls first,
    then the earliest due; nothing while on a call, only calls while working other items."""
    now = at or utcnow()
    begin_write(session, table="work_item")
    if agent_busy_on_call or _has_call_in_progress(session, agent):
        return None
    already = session.exec(
        select(WorkItem).where(
            col(WorkItem.owner) == agent, col(WorkItem.state) == ItemState.OFFERED.value
        )
    ).first()
    if already is not None:
        return _view(already)
    skill_list = sorted({s for s in skills if s})
    stmt = select(WorkItem).where(col(WorkItem.state) == ItemState.QUEUED.value)
    stmt = stmt.where(or_(col(WorkItem.skill).is_(None), col(WorkItem.skill).in_(skill_list)))
    if _working_non_call(session, agent):
        stmt = stmt.where(col(WorkItem.kind) == ItemKind.CALL.value)
    calls_first = case((col(WorkItem.kind) == ItemKind.CALL.value, 0), else_=1)
    stmt = stmt.order_by(
        calls_first, col(WorkItem.due_at), col(WorkItem.received_at), col(WorkItem.id)
    ).limit(20)
    for candidate in list(session.exec(stmt)):
        moved = _move(
            session,
            candidate,
            allowed={ItemState.QUEUED},
            to=ItemState.OFFERED,
            owner=agent,
            now=now,
        )
        if moved:
            return _view(_reload(session, candidate.id))
    return None


def take(
    session: Session,
    *,
    item_id: str,
    agent: str,
    expected_version: int | None = None,
    agent_busy_on_call: bool = False,
    at: datetime | None = None,
) -> WorkItemView:
    """Start work on a queued item or on the one offered to this agent; taking a call parks the
    agent's mail, fax and call-back work. Exactly one of two racing agents wins."""
    now = at or utcnow()
    begin_write(session, table="work_item")
    item = _get(session, item_id)
    kind = ItemKind(item.kind)
    if kind is not ItemKind.CALL and (agent_busy_on_call or _has_call_in_progress(session, agent)):
        raise AgentOnCall()
    _check_version(item, expected_version)
    if item.state == ItemState.OFFERED.value and item.owner != agent:
        raise ItemChanged(item_id=item.id, state=item.state)
    if kind is ItemKind.CALL:
        park_for_call(session, agent=agent, at=now)
    if not _move(
        session,
        item,
        allowed={ItemState.QUEUED, ItemState.OFFERED},
        to=ItemState.IN_PROGRESS,
        owner=agent,
        now=now,
        values={"taken_at": now},
    ):
        raise ItemChanged(item_id=item.id, state=_reload(session, item.id).state)
    taken = _reload(session, item.id)
    if kind in (ItemKind.EMAIL, ItemKind.FAX):
        cms.append(
            session,
            event=NewEvent(
                type=EventType.CONTACT_ANSWERED,
                occurred_at=now,
                contact_id=taken.contact_id,
                channel=Channel(kind.value),
                line=taken.line,
                agent=agent,
                payload={"speed_of_answer_s": max(0.0, (now - taken.received_at).total_seconds())},
            ),
        )
    return _view(taken)


def park_for_call(session: Session, *, agent: str, at: datetime | None = None) -> list[str]:
    """Park every mail, fax and call-back the agent is working (a call was accepted)."""
    now = at or utcnow()
    stmt = select(WorkItem).where(
        col(WorkItem.owner) == agent,
        col(WorkItem.state) == ItemState.IN_PROGRESS.value,
        col(WorkItem.kind) != ItemKind.CALL.value,
    )
    parked = []
    for item in list(session.exec(stmt)):
        if _move(
            session,
            item,
            allowed={ItemState.IN_PROGRESS},
            to=ItemState.PARKED,
            owner=agent,
            now=now,
        ):
            parked.append(item.id)
    return parked


def park(session: Session, *, item_id: str, agent: str, at: datetime | None = None) -> WorkItemView:
    """Set aside the agent's own mail, fax or call-back work."""
    now = at or utcnow()
    begin_write(session, table="work_item")
    item = _owned(session, item_id, agent)
    if item.kind == ItemKind.CALL.value or not _move(
        session, item, allowed={ItemState.IN_PROGRESS}, to=ItemState.PARKED, owner=agent, now=now
    ):
        raise ItemChanged(item_id=item.id, state=item.state)
    return _view(_reload(session, item.id))


def resume(
    session: Session,
    *,
    item_id: str,
    agent: str,
    agent_busy_on_call: bool = False,
    at: datetime | None = None,
) -> WorkItemView:
    """Go back to parked work (not while on a call)."""
    now = at or utcnow()
    begin_write(session, table="work_item")
    item = _owned(session, item_id, agent)
    if agent_busy_on_call or _has_call_in_progress(session, agent):
        raise AgentOnCall()
    if not _move(
        session, item, allowed={ItemState.PARKED}, to=ItemState.IN_PROGRESS, owner=agent, now=now
    ):
        raise ItemChanged(item_id=item.id, state=item.state)
    return _view(_reload(session, item.id))


def release(
    session: Session, *, item_id: str, agent: str, at: datetime | None = None
) -> WorkItemView:
    """Give an offered, taken or parked item back to the queue."""
    now = at or utcnow()
    begin_write(session, table="work_item")
    item = _owned(session, item_id, agent)
    if not _move(
        session,
        item,
        allowed={ItemState.OFFERED, ItemState.IN_PROGRESS, ItemState.PARKED},
        to=ItemState.QUEUED,
        owner=None,
        now=now,
    ):
        raise ItemChanged(item_id=item.id, state=item.state)
    return _view(_reload(session, item.id))


def complete(
    session: Session,
    *,
    item_id: str,
    agent: str,
    result: ItemResult,
    dept_id: str | None = None,
    at: datetime | None = None,
) -> WorkItemView:
    """Close an item (a queued one only to cancel it); erases a call-back's number and appends
    ``item.replied``, ``item.forwarded`` or ``callback.completed``; commits."""
    now = at or utcnow()
    begin_write(session, table="work_item")
    item = _get(session, item_id)
    kind = ItemKind(item.kind)
    if result not in RESULTS_FOR[kind]:
        allowed = "・".join(sorted(r.value for r in RESULTS_FOR[kind]))
        raise ValidationFailed(fields={"result": f"この項目の結果は {allowed} のいずれかです。"})
    if result is ItemResult.FORWARDED:
        if not dept_id or dept_id not in departments.known_ids(session):
            raise ValidationFailed(fields={"dept_id": "転送先の係を部署一覧から選んでください。"})
    else:
        dept_id = None
    if item.state == ItemState.QUEUED.value and result is ItemResult.CANCELLED:
        allowed_states = {ItemState.QUEUED}
    else:
        if item.owner != agent:
            raise ItemChanged(item_id=item.id, state=item.state)
        allowed_states = {ItemState.IN_PROGRESS, ItemState.PARKED}
    if not _move(
        session,
        item,
        allowed=allowed_states,
        to=ItemState.DONE,
        owner=item.owner or agent,
        now=now,
        values={
            "completed_at": now,
            "result": result.value,
            "result_dept": dept_id,
            "callback_number_enc": None,
        },
    ):
        raise ItemChanged(item_id=item.id, state=_reload(session, item.id).state)
    done = _reload(session, item.id)
    event = _closing_event(done, kind, result, agent=agent, now=now)
    if event is not None:
        cms.append(session, event=event)
    return _view(done)


def callback_number(session: Session, *, item_id: str, agent: str, box: SecretBox) -> str:
    """The number to call, for the agent working the call-back only; the reveal is audited."""
    item = _get(session, item_id)
    if (
        item.kind != ItemKind.CALLBACK.value
        or item.state != ItemState.IN_PROGRESS.value
        or item.owner != agent
        or item.callback_number_enc is None
    ):
        raise ItemChanged(item_id=item.id, state=item.state)
    number = box.open(item.callback_number_enc)
    audit.record(session, actor=agent, action="callback-number-shown", target=item.id)
    return number


# --- reading --------------------------------------------------------------------------------


def get_item(session: Session, *, item_id: str) -> WorkItemView:
    """One item."""
    return _view(_get(session, item_id))


def open_items(
    session: Session, *, kinds: Sequence[ItemKind] | None = None, owner: str | None = None
) -> list[WorkItemView]:
    """The to-do list (要対応リスト): every open item, earliest due first."""
    stmt = select(WorkItem).where(col(WorkItem.state).in_([s.value for s in OPEN_STATES]))
    if kinds:
        stmt = stmt.where(col(WorkItem.kind).in_([k.value for k in kinds]))
    if owner is not None:
        stmt = stmt.where(col(WorkItem.owner) == owner)
    stmt = stmt.order_by(col(WorkItem.due_at), col(WorkItem.received_at), col(WorkItem.id))
    return [_view(i) for i in session.exec(stmt)]


def callbacks(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> list[WorkItemView]:
    """Call-backs requested in [start, end), oldest first, with when and how each was made."""
    stmt = select(WorkItem).where(col(WorkItem.kind) == ItemKind.CALLBACK.value)
    if start is not None:
        stmt = stmt.where(col(WorkItem.received_at) >= start)
    if end is not None:
        stmt = stmt.where(col(WorkItem.received_at) < end)
    stmt = stmt.order_by(col(WorkItem.received_at), col(WorkItem.id))
    return [_view(i) for i in session.exec(stmt)]


# --- helpers --------------------------------------------------------------------------------


def _new_item(
    kind: ItemKind,
    contact_id: str | None,
    skill: str | None,
    line: str | None,
    source_ref: str | None,
    received: datetime,
    due: datetime,
    now: datetime,
    *,
    number_enc: str | None,
) -> WorkItem:
    return WorkItem(
        id=str(uuid.uuid4()),
        kind=kind.value,
        state=ItemState.QUEUED.value,
        skill=skill or None,
        contact_id=contact_id or str(uuid.uuid4()),
        source_ref=source_ref,
        line=line,
        received_at=received,
        due_at=due,
        created_at=now,
        updated_at=now,
        callback_number_enc=number_enc,
        version=1,
    )


def _move(
    session: Session,
    item: WorkItem,
    *,
    allowed: set[ItemState],
    to: ItemState,
    owner: str | None,
    now: datetime,
    values: dict[str, Any] | None = None,
) -> bool:
    """One conditional UPDATE: only from the version and states this change was decided on."""
    stmt = (
        update(WorkItem)
        .where(
            col(WorkItem.id) == item.id,
            col(WorkItem.version) == item.version,
            col(WorkItem.state).in_([s.value for s in allowed]),
        )
        .values(
            state=to.value, owner=owner, version=item.version + 1, updated_at=now, **(values or {})
        )
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def _closing_event(
    item: WorkItem, kind: ItemKind, result: ItemResult, *, agent: str, now: datetime
) -> NewEvent | None:
    common: dict[str, Any] = {
        "occurred_at": now,
        "contact_id": item.contact_id,
        "line": item.line,
        "agent": agent,
    }
    if kind in (ItemKind.EMAIL, ItemKind.FAX) and result is ItemResult.REPLIED:
        return NewEvent(
            type=EventType.ITEM_REPLIED,
            channel=Channel(kind.value),
            payload={"within_24h": now <= item.due_at},
            **common,
        )
    if kind in (ItemKind.EMAIL, ItemKind.FAX) and result is ItemResult.FORWARDED:
        return NewEvent(
            type=EventType.ITEM_FORWARDED,
            channel=Channel(kind.value),
            payload={"destination": item.result_dept or ""},
            **common,
        )
    if kind is ItemKind.CALLBACK and result in (ItemResult.REACHED, ItemResult.UNREACHED):
        return NewEvent(
            type=EventType.CALLBACK_COMPLETED,
            channel=Channel.CALLBACK,
            payload={"reached": result is ItemResult.REACHED},
            **common,
        )
    return None


def _check_version(item: WorkItem, expected: int | None) -> None:
    if expected is not None and expected != item.version:
        raise ItemChanged(item_id=item.id, state=item.state)


def _get(session: Session, item_id: str) -> WorkItem:
    item = (
        session.get(WorkItem, item_id[:36], populate_existing=True) if len(item_id) <= 36 else None
    )
    if item is None:
        raise ItemNotFound(item_id=item_id)
    return item


def _reload(session: Session, item_id: str) -> WorkItem:
    return _get(session, item_id)


def _owned(session: Session, item_id: str, agent: str) -> WorkItem:
    item = _get(session, item_id)
    if item.owner != agent:
        raise ItemChanged(item_id=item.id, state=item.state)
    return item


def _has_call_in_progress(session: Session, agent: str) -> bool:
    stmt = select(WorkItem.id).where(
        col(WorkItem.owner) == agent,
        col(WorkItem.state) == ItemState.IN_PROGRESS.value,
        col(WorkItem.kind) == ItemKind.CALL.value,
    )
    return session.exec(stmt).first() is not None


def _working_non_call(session: Session, agent: str) -> bool:
    stmt = select(WorkItem.id).where(
        col(WorkItem.owner) == agent,
        col(WorkItem.state) == ItemState.IN_PROGRESS.value,
        col(WorkItem.kind) != ItemKind.CALL.value,
    )
    return session.exec(stmt).first() is not None


def _view(item: WorkItem) -> WorkItemView:
    return WorkItemView(
        id=item.id,
        kind=item.kind,
        state=item.state,
        skill=item.skill,
        owner=item.owner,
        contact_id=item.contact_id,
        line=item.line,
        received_at=item.received_at,
        due_at=item.due_at,
        taken_at=item.taken_at,
        completed_at=item.completed_at,
        result=item.result,
        result_dept=item.result_dept,
        has_number=item.callback_number_enc is not None,
        version=item.version,
    )
