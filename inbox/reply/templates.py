"""Reply templates administrators edit (audited) and their rendering at the desk.

Placeholders: ``$name`` (the sender's name as written, else ``ご相談者``), ``$subject`` (the
original subject), ``$received`` (when it arrived, Japan time) and ``$center`` (the From name).
Unknown placeholders are refused when the template is saved.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from inbox.reply.models import ReplyTemplate
from realtime.audit import service as audit
from realtime.errors import MadoguchiError, ValidationFailed
from realtime.timeutil import JST, utcnow

PLACEHOLDERS = frozenset({"name", "subject", "received", "center"})
PURPOSES = frozenset({"reply", "ack"})


class TemplateNotFound(MadoguchiError):
    error_id = "reply-template-not-found"
    status_code = 404
    message_ja = "返信テンプレートが見つかりません。"

    def __init__(self, *, template: str) -> None:
        super().__init__(template=template)
        self.template = template


@dataclass(frozen=True)
class TemplateValues:
    """What placeholders are filled with."""

    name: str
    subject: str
    received: datetime
    center: str

    def mapping(self) -> dict[str, str]:
        local = self.received.astimezone(JST)
        return {
            "name": self.name or "ご相談者",
            "subject": self.subject,
            "received": f"{local:%Y年%m月%d日 %H:%M}",
            "center": self.center,
        }


def _placeholders(text: str) -> set[str]:
    names: set[str] = set()
    for match in string.Template.pattern.finditer(text):
        if match.group("invalid") is not None:
            raise ValidationFailed(
                fields={"body": "$ の使い方が正しくありません（$$ で $ 記号）。"}
            )
        name = match.group("named") or match.group("braced")
        if name:
            names.add(name)
    return names


def validate_template(*, name: str, subject: str, body: str, purpose: str) -> None:
    """ValidationFailed naming each wrong field."""
    errors: dict[str, str] = {}
    if not name.strip() or len(name) > 64:
        errors["name"] = "テンプレート名は1〜64文字で入力してください。"
    if len(subject) > 200:
        errors["subject"] = "件名は200文字以内で入力してください。"
    if not body.strip() or len(body) > 20000:
        errors["body"] = "本文は1〜20000文字で入力してください。"
    if purpose not in PURPOSES:
        errors["purpose"] = "用途は reply か ack です。"
    for field_name, text in (("subject", subject), ("body", body)):
        try:
            unknown = _placeholders(text) - PLACEHOLDERS
        except ValidationFailed as exc:
            errors[field_name] = exc.fields["body"]
            continue
        if unknown:
            allowed = "・".join(f"${p}" for p in sorted(PLACEHOLDERS))
            errors[field_name] = f"使えない差し込み項目があります（使えるのは {allowed}）。"
    if errors:
        raise ValidationFailed(fields=errors)


def render(text: str, values: TemplateValues) -> str:
    """Fill the placeholders (a value is never re-interpreted as a template)."""
    return string.Template(text).safe_substitute(values.mapping())


def _json(row: ReplyTemplate) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "subject": row.subject,
        "body": row.body,
        "purpose": row.purpose,
        "updated_at": row.updated_at.isoformat(),
        "updated_by": row.updated_by,
    }


def list_templates(session: Session) -> list[dict[str, Any]]:
    """Every template, by name."""
    return [_json(r) for r in session.exec(select(ReplyTemplate).order_by(col(ReplyTemplate.name)))]


def get_template(session: Session, *, template_id: int) -> ReplyTemplate:
    """One template by id."""
    row = session.get(ReplyTemplate, template_id)
    if row is None:
        raise TemplateNotFound(template=str(template_id))
    return row


def by_name(session: Session, *, name: str) -> ReplyTemplate | None:
    """A template by name, or None."""
    return session.exec(select(ReplyTemplate).where(col(ReplyTemplate.name) == name)).first()


def save_template(
    session: Session,
    *,
    actor: str,
    name: str,
    subject: str,
    body: str,
    purpose: str = "reply",
    template_id: int | None = None,
) -> dict[str, Any]:
    """Create or change a template (audited); commits."""
    validate_template(name=name, subject=subject, body=body, purpose=purpose)
    clash = by_name(session, name=name.strip())
    if clash is not None and clash.id != template_id:
        raise ValidationFailed(fields={"name": "同じ名前のテンプレートがあります。"})
    if template_id is None:
        row = ReplyTemplate(name=name.strip(), body=body, updated_at=utcnow())
        action = "inbox-template-created"
    else:
        row = get_template(session, template_id=template_id)
        action = "inbox-template-changed"
    row.name, row.subject, row.body, row.purpose = name.strip(), subject, body, purpose
    row.updated_at, row.updated_by = utcnow(), actor
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        target=str(row.id),
        detail={"name": row.name, "purpose": purpose, "body_chars": len(body)},
    )
    session.commit()
    return _json(row)


def delete_template(session: Session, *, actor: str, template_id: int) -> None:
    """Remove a template (audited); commits."""
    row = get_template(session, template_id=template_id)
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="inbox-template-deleted",
        target=str(template_id),
        detail={"name": row.name},
    )
    session.commit()
