"""Parse and check the fields of a history form or API body (Japanese messages per field)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cms.events import Channel
from crm.interactions.models import HANDED_OVER, Outcome, WorkType
from realtime.errors import ValidationFailed

CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._\-]{0,31}$")
CONTACT_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{0,35}$")
MAX_ANSWER = 4000
MAX_REASON = 200
MAX_FAQS = 20

EDITABLE = (
    "work_type",
    "category1",
    "category2",
    "section",
    "faq_ids",
    "answer",
    "outcome",
    "handoff_dept",
)
CONTACT_FACTS = ("contact_id", "channel", "line", "menu", "started_at", "ended_at")


@dataclass(frozen=True)
class HistoryFields:
    """What the agent records; validated for shape (references are checked by the service)."""

    work_type: WorkType
    category1: str
    category2: str
    section: str | None
    faq_ids: tuple[str, ...]
    answer: str
    outcome: Outcome
    handoff_dept: str | None


@dataclass(frozen=True)
class ContactFacts:
    """What the contact itself was (from the contact log when it knows the contact)."""

    contact_id: str
    channel: Channel
    line: str | None
    menu: str | None
    started_at: datetime | None
    ended_at: datetime | None


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(fields=self.fields)


def _text(value: Any, name: str, errors: _Errors, *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(name, "文字列で入力してください。")
        return ""
    text = value.strip()
    if len(text) > limit:
        errors.add(name, f"{limit}文字以内で入力してください。")
    return text


def _code(value: Any, name: str, errors: _Errors, *, pattern: re.Pattern[str] = CODE) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors.add(name, "文字列で入力してください。")
        return None
    code = unicodedata.normalize("NFKC", value).strip()
    if not pattern.match(code):
        errors.add(name, "英数字の記号で指定してください。")
        return None
    return code


def _choice(value: Any, name: str, errors: _Errors, enum: Any, label: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = "・".join(e.value for e in enum)
        errors.add(name, f"{label}は {allowed} のいずれかを指定してください。")
        return None


def _time(value: Any, name: str, errors: _Errors) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        errors.add(name, "日時は ISO 8601 形式（例 2026-04-01T09:00:00+09:00）で入力してください。")
        return None
    if parsed.tzinfo is None:
        errors.add(name, "日時にはタイムゾーン（+09:00 など）を付けてください。")
        return None
    return parsed


def _faq_ids(value: Any, errors: _Errors) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add("faq_ids", "FAQ IDの一覧で指定してください。")
        return ()
    ids = [unicodedata.normalize("NFKC", v).strip() for v in value]
    ids = [v for v in dict.fromkeys(ids) if v]
    if len(ids) > MAX_FAQS:
        errors.add("faq_ids", f"FAQは{MAX_FAQS}件まで指定できます。")
    if any(not CODE.match(v) for v in ids):
        errors.add("faq_ids", "FAQ IDが正しくありません。")
    return tuple(ids)


def parse_fields(data: Mapping[str, Any]) -> HistoryFields:
    """The recorded fields of a body, or ValidationFailed naming each wrong field."""
    errors = _Errors()
    work_type = _choice(data.get("work_type"), "work_type", errors, WorkType, "業務種別")
    outcome = _choice(data.get("outcome"), "outcome", errors, Outcome, "対応結果")
    category1 = _text(data.get("category1"), "category1", errors, limit=100)
    category2 = _text(data.get("category2"), "category2", errors, limit=100)
    if category2 and not category1:
        errors.add("category1", "中分類を選ぶときは大分類も選んでください。")
    answer = _text(data.get("answer"), "answer", errors, limit=MAX_ANSWER)
    handoff = _code(data.get("handoff_dept"), "handoff_dept", errors)
    if outcome is Outcome.ANSWERED and not answer:
        errors.add("answer", "センター内で回答した場合は回答内容を入力してください。")
    if outcome in HANDED_OVER and handoff is None and "handoff_dept" not in errors.fields:
        errors.add("handoff_dept", "引継ぎ先（取次ぎ先）の係を選んでください。")
    if outcome is not None and outcome not in HANDED_OVER and handoff is not None:
        errors.add("handoff_dept", "引継ぎ先は担当課へ引継ぎ・交換取次ぎのときだけ指定できます。")
    fields = HistoryFields(
        work_type=work_type,
        category1=category1,
        category2=category2,
        section=_code(data.get("section"), "section", errors),
        faq_ids=_faq_ids(data.get("faq_ids"), errors),
        answer=answer,
        outcome=outcome,
        handoff_dept=handoff,
    )
    errors.raise_if_any()
    return fields


def parse_contact(data: Mapping[str, Any]) -> ContactFacts:
    """The contact's identity and facts as the desk sent them."""
    errors = _Errors()
    contact_id = _code(data.get("contact_id"), "contact_id", errors, pattern=CONTACT_ID)
    if contact_id is None and "contact_id" not in errors.fields:
        errors.add("contact_id", "応対IDを指定してください。")
    channel = _choice(
        data.get("channel", Channel.CALL.value), "channel", errors, Channel, "チャネル"
    )
    started = _time(data.get("started_at"), "started_at", errors)
    ended = _time(data.get("ended_at"), "ended_at", errors)
    if started and ended and ended < started:
        errors.add("ended_at", "終了日時は開始日時より後にしてください。")
    facts = ContactFacts(
        contact_id=contact_id or "",
        channel=channel,
        line=_code(data.get("line"), "line", errors),
        menu=_code(data.get("menu"), "menu", errors),
        started_at=started,
        ended_at=ended,
    )
    errors.raise_if_any()
    return facts


def parse_reason(value: Any) -> str:
    """The reason given for an edit (free text, checked for personal data by the service)."""
    errors = _Errors()
    reason = _text(value, "reason", errors, limit=MAX_REASON)
    errors.raise_if_any()
    return reason


def refuse_unknown(data: Mapping[str, Any], *, allowed: tuple[str, ...]) -> None:
    """A body with keys the operation does not take is refused, naming each key."""
    unknown = {k[:64]: "この項目は指定できません。" for k in data if k not in allowed}
    if unknown:
        raise ValidationFailed(fields=dict(list(unknown.items())[:20]))
