"""Recipients of the daily report kept by administrators (validated, audited).

When any are stored they replace MADOGUCHI_REPORT_RECIPIENTS from the environment; with none
stored, the environment's list is used (see docs/reports.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from cms.reports.mailconfig import ReportMailSettings
from cms.reports.models import ReportRecipient
from realtime.audit import service as audit
from realtime.errors import MadoguchiError, ValidationFailed
from realtime.timeutil import utcnow

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_RECIPIENTS = 50


class RecipientNotFound(MadoguchiError):
    error_id = "report-recipient-not-found"
    status_code = 404
    message_ja = "指定された送付先が見つかりません。"

    def __init__(self, *, recipient_id: int) -> None:
        super().__init__(recipient_id=recipient_id)


@dataclass(frozen=True)
class RecipientView:
    """One recipient as the admin screen shows it."""

    recipient_id: int
    address: str
    name_ja: str
    added_by: str
    added_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient_id": self.recipient_id,
            "address": self.address,
            "name_ja": self.name_ja,
            "added_by": self.added_by,
            "added_at": self.added_at.isoformat(),
        }


def _view(row: ReportRecipient) -> RecipientView:
    return RecipientView(row.id or 0, row.address, row.name_ja, row.added_by, row.added_at)


def list_recipients(session: Session) -> list[RecipientView]:
    """Every stored recipient, in the order they were added."""
    stmt = select(ReportRecipient).order_by(col(ReportRecipient.id))
    return [_view(r) for r in session.exec(stmt)]


def add_recipient(session: Session, *, data: Mapping[str, Any], actor: str) -> RecipientView:
    """Add an address (validated, no duplicates; audited)."""
    problems: dict[str, str] = {}
    raw = data.get("address")
    address = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
    if not address or len(address) > 254 or not _ADDRESS.match(address):
        problems["address"] = "メールアドレスの形式が正しくありません。"
    name = data.get("name_ja", "")
    name_text = name.strip() if isinstance(name, str) else ""
    if not isinstance(name, str) or len(name_text) > 100:
        problems["name_ja"] = "100文字以内で入力してください。"
    if not problems:
        existing = list_recipients(session)
        if any(r.address.lower() == address.lower() for r in existing):
            problems["address"] = "このアドレスはすでに登録されています。"
        elif len(existing) >= MAX_RECIPIENTS:
            problems["address"] = f"送付先は{MAX_RECIPIENTS}件までです。"
    if problems:
        raise ValidationFailed(fields=problems)
    row = ReportRecipient(address=address, name_ja=name_text, added_by=actor, added_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="report-recipient-added",
        target=address,
        detail={"name": name_text},
    )
    session.commit()
    return _view(row)


def delete_recipient(session: Session, *, recipient_id: int, actor: str) -> None:
    """Remove an address (audited)."""
    row = session.get(ReportRecipient, recipient_id)
    if row is None:
        raise RecipientNotFound(recipient_id=recipient_id)
    address = row.address
    session.delete(row)
    audit.record(session, actor=actor, action="report-recipient-deleted", target=address)
    session.commit()


def with_stored_recipients(session: Session, *, mail: ReportMailSettings) -> ReportMailSettings:
    """The mail settings with the stored recipients in place of the environment's (if any)."""
    stored = [r.address for r in list_recipients(session)]
    if not stored:
        return mail
    return mail.model_copy(update={"report_recipients": ",".join(stored)})
