"""Answering and forwarding work items at the desk (F-1.6.1), and the acknowledgement.

The reply text may carry the citizen's own data (it answers them), so the history guard is not
applied to it; it is kept only sealed in the outbox and never copied into the interaction
history or the contact events (``item.replied`` carries only whether it was within 24 hours).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from crm.departments import service as departments
from crm.workqueue import service as workqueue
from crm.workqueue.exceptions import ItemChanged
from crm.workqueue.models import ItemKind, ItemResult, ItemState, WorkItem
from inbox.config import InboxSettings
from inbox.models import InboxMessage, InboxParsed
from inbox.reply import templates
from inbox.reply.compose import compose_ack, compose_forward, compose_reply
from inbox.reply.models import OutboxMail
from inbox.reply.outbox import check_config, enqueue_mail
from realtime.auth.secretbox import SecretBox
from realtime.errors import MadoguchiError, ValidationFailed
from realtime.timeutil import utcnow


class NotAMailItem(MadoguchiError):
    error_id = "not-a-mail-item"
    status_code = 409
    message_ja = "この項目はメールへの返信ができません。"

    def __init__(self, *, item_id: str, reason: str) -> None:
        super().__init__(item_id=item_id, reason=reason)
        self.item_id = item_id
        self.reason = reason


@dataclass(frozen=True)
class Original:
    """What a reply needs from the received message (opened from the sealed record)."""

    message: InboxMessage
    subject: str
    sender_name: str
    sender_address: str
    message_id: str | None
    references: list[str]


def inbox_id_of(source_ref: str | None) -> int | None:
    """The inbox message id of a work item's ``source_ref`` (``inbox:<id>``)."""
    if source_ref and source_ref.startswith("inbox:") and source_ref[6:].isdigit():
        return int(source_ref[6:])
    return None


def load_original(session: Session, *, message_id: int, box: SecretBox) -> Original:
    """The received message with its sealed parts opened."""
    row = session.get(InboxMessage, message_id)
    parsed = session.get(InboxParsed, message_id)
    if row is None:
        raise NotAMailItem(item_id=str(message_id), reason="受信メールがありません")
    data: dict[str, Any] = json.loads(box.open(parsed.parsed_sealed)) if parsed else {}
    address = box.open(row.sender_sealed) if row.sender_sealed else ""
    sender = str(data.get("from", ""))
    name = sender.split("<", 1)[0].strip().strip('"') if "<" in sender else ""
    return Original(
        message=row,
        subject=str(data.get("subject", "")),
        sender_name=name,
        sender_address=address,
        message_id=data.get("message_id"),
        references=[str(r) for r in data.get("references") or []],
    )


def _values(original: Original, config: InboxSettings) -> templates.TemplateValues:
    center = config.inbox_reply_from.split("<", 1)[0].strip().strip('"')
    return templates.TemplateValues(
        name=original.sender_name,
        subject=original.subject,
        received=original.message.received_at,
        center=center,
    )


def reply_to_item(
    session: Session,
    *,
    item_id: str,
    agent: str,
    box: SecretBox,
    config: InboxSettings,
    body: str = "",
    subject: str = "",
    template_id: int | None = None,
    at: datetime | None = None,
) -> OutboxMail:
    """Queue the reply to a mail item the agent is working and close it as replied; commits."""
    check_config(config)
    now = at or utcnow()
    item = workqueue.get_item(session, item_id=item_id)
    if item.owner != agent or item.state not in (ItemState.IN_PROGRESS, ItemState.PARKED):
        raise ItemChanged(item_id=item.id, state=item.state)
    source = session.get(WorkItem, item.id)
    message_id = inbox_id_of(source.source_ref if source else None)
    if item.kind != ItemKind.EMAIL or message_id is None:
        raise NotAMailItem(item_id=item_id, reason="メールの項目ではありません")
    original = load_original(session, message_id=message_id, box=box)
    if not original.sender_address:
        raise NotAMailItem(item_id=item_id, reason="差出人のアドレスがありません")
    values = _values(original, config)
    if template_id is not None:
        template = templates.get_template(session, template_id=template_id)
        body = body or templates.render(template.body, values)
        subject = subject or templates.render(template.subject, values)
    if not body.strip():
        raise ValidationFailed(fields={"body": "返信の本文を入力してください。"})
    if len(body) > 50000 or len(subject) > 200:
        raise ValidationFailed(fields={"body": "本文は50000字、件名は200字までです。"})
    message = compose_reply(
        sender=config.inbox_reply_from,
        to=original.sender_address,
        original_subject=original.subject,
        original_id=original.message_id,
        original_references=original.references,
        body=body,
        subject=subject,
        domain=config.inbox_mail_domain,
        at=now,
    )
    row = enqueue_mail(
        session,
        message=message,
        recipients=[original.sender_address],
        kind="reply",
        box=box,
        actor=agent,
        inbox_message_id=message_id,
        work_item_id=item.id,
        at=now,
    )
    workqueue.complete(session, item_id=item.id, agent=agent, result=ItemResult.REPLIED, at=now)
    return row


def forward_item(
    session: Session,
    *,
    item_id: str,
    agent: str,
    dept_id: str,
    box: SecretBox,
    config: InboxSettings,
    raw: bytes | None,
    note: str = "",
    at: datetime | None = None,
) -> OutboxMail | None:
    """Forward (転送) a mail or fax item to a department: closes it as forwarded (the event
    ``item.forwarded`` carries the department); when the department has a mail address the
    received message is sent to it. Commits."""
    now = at or utcnow()
    item = workqueue.get_item(session, item_id=item_id)
    if item.kind not in (ItemKind.EMAIL, ItemKind.FAX):
        raise NotAMailItem(item_id=item_id, reason="メールまたは FAX の項目ではありません")
    if dept_id not in departments.known_ids(session):
        raise ValidationFailed(fields={"dept_id": "転送先の係を部署一覧から選んでください。"})
    row: OutboxMail | None = None
    address = config.inbox_department_addresses.get(dept_id)
    source = session.get(WorkItem, item.id)
    message_id = inbox_id_of(source.source_ref if source else None)
    if address and raw is not None and config.inbox_reply_from:
        subject = ""
        if message_id is not None:
            subject = load_original(session, message_id=message_id, box=box).subject
        message = compose_forward(
            sender=config.inbox_reply_from,
            to=address,
            original_subject=subject,
            note=note,
            raw=raw,
            domain=config.inbox_mail_domain,
            at=now,
        )
        row = enqueue_mail(
            session,
            message=message,
            recipients=[address],
            kind="forward",
            box=box,
            actor=agent,
            inbox_message_id=message_id,
            work_item_id=item.id,
            destination=dept_id,
            at=now,
        )
    workqueue.complete(
        session, item_id=item.id, agent=agent, result=ItemResult.FORWARDED, dept_id=dept_id, at=now
    )
    return row


def acknowledge(
    session: Session,
    *,
    message: InboxMessage,
    box: SecretBox,
    config: InboxSettings,
    at: datetime | None = None,
) -> OutboxMail | None:
    """Queue the acknowledgement of a received mail when enabled; never to automatic mail,
    unanswerable mail, or without a sender. Flushes (the caller commits)."""
    if not config.inbox_ack_enabled or not config.inbox_reply_from or not config.smtp_host:
        return None
    if message.is_auto or not message.answerable or message.state != "queued":
        return None
    assert message.id is not None
    original = load_original(session, message_id=message.id, box=box)
    if not original.sender_address:
        return None
    template = templates.by_name(session, name=config.inbox_ack_template)
    values = _values(original, config)
    if template is not None:
        body = templates.render(template.body, values)
        subject = templates.render(template.subject, values)
    else:
        body = (
            "お問い合わせを受け付けました。内容を確認のうえ、担当者からご連絡いたします。\n"
            "このメールは自動送信です。\n"
        )
        subject = ""
    mail = compose_ack(
        sender=config.inbox_reply_from,
        to=original.sender_address,
        original_subject=original.subject,
        original_id=original.message_id,
        original_references=original.references,
        body=body,
        subject=subject,
        domain=config.inbox_mail_domain,
        at=at or utcnow(),
    )
    return enqueue_mail(
        session,
        message=mail,
        recipients=[original.sender_address],
        kind="ack",
        box=box,
        actor="system:inbox",
        inbox_message_id=message.id,
        at=at,
    )
