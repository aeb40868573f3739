"""Closure days an administrator adds (maintenance, city closures): validated, stored, audited.

A closure is a whole local day; it stops the services it names (live, switchboard, intake) on
every line or on the lines it lists. The call path reads them with its configuration, so a new
closure applies to the next call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from realtime.audit import service as audit
from realtime.errors import ValidationFailed
from realtime.timeutil import utcnow
from switch.calendar.errors import InvalidCalendarData
from switch.calendar.model import Closure, Service, normalize_number
from switch.callpath.errors import UnknownConfig
from switch.callpath.models import CallpathClosure, CallpathLine

SERVICE_LABELS_JA = {
    "live": "有人応対",
    "switchboard": "交換（取次ぎ）",
    "intake": "メール・FAX受付",
}


@dataclass(frozen=True)
class ClosureView:
    """One closure as the admin screen shows it."""

    closure_id: int
    day: dt.date
    reason_ja: str
    services: list[str]
    dids: list[str]
    created_by: str
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "closure_id": self.closure_id,
            "day": self.day.isoformat(),
            "reason_ja": self.reason_ja,
            "services": self.services,
            "dids": self.dids,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }

    def closure(self) -> Closure:
        """The calendar's form of this closure."""
        return Closure(
            date=self.day,
            reason=self.reason_ja,
            services=frozenset(Service(s) for s in self.services),
            dids=frozenset(self.dids) if self.dids else None,
        )


def _split(text: str) -> list[str]:
    return [p for p in text.split(",") if p]


def _view(row: CallpathClosure) -> ClosureView:
    return ClosureView(
        closure_id=row.id or 0,
        day=row.day,
        reason_ja=row.reason_ja,
        services=_split(row.services),
        dids=_split(row.dids),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def list_closures(session: Session, *, since: dt.date | None = None) -> list[ClosureView]:
    """Closures in date order (from ``since`` when given)."""
    stmt = select(CallpathClosure).order_by(col(CallpathClosure.day), col(CallpathClosure.id))
    if since is not None:
        stmt = stmt.where(col(CallpathClosure.day) >= since)
    return [_view(r) for r in session.exec(stmt)]


def add_closure(session: Session, *, data: Mapping[str, Any], actor: str) -> ClosureView:
    """Add a closure day (validated field by field; audited)."""
    problems: dict[str, str] = {}
    raw_day = data.get("day")
    day = dt.date(1970, 1, 1)
    try:
        day = dt.date.fromisoformat(raw_day) if isinstance(raw_day, str) else dt.date(1, 1, 1)
        if day.year < 2000 or day.year > 2099:
            problems["day"] = "2000〜2099年の日付を YYYY-MM-DD で指定してください。"
    except ValueError:
        problems["day"] = "日付を YYYY-MM-DD で指定してください。"
    reason = data.get("reason_ja")
    reason_text = reason.strip() if isinstance(reason, str) else ""
    if not reason_text or len(reason_text) > 100:
        problems["reason_ja"] = "理由を100文字以内で入力してください。"
    services = _strings(data.get("services"))
    if not services:
        problems["services"] = "休止するサービスを1つ以上選んでください。"
    elif any(s not in SERVICE_LABELS_JA for s in services):
        problems["services"] = "サービスは有人応対・交換・メールFAX受付から選んでください。"
    raw_dids = _strings(data.get("dids"))
    dids: list[str] = []
    if raw_dids is None:
        problems["dids"] = "回線の番号をカンマ区切りで指定してください。"
    else:
        for raw in raw_dids:
            try:
                dids.append(normalize_number(raw))
            except InvalidCalendarData:
                problems["dids"] = f"電話番号の形式が正しくありません: {raw[:20]}"
                break
        unknown = [d for d in dids if session.get(CallpathLine, d) is None]
        if unknown and "dids" not in problems:
            problems["dids"] = f"登録されていない回線です: {', '.join(unknown)[:60]}"
    if problems:
        raise ValidationFailed(fields=problems)
    row = CallpathClosure(
        day=day,
        reason_ja=reason_text,
        services=",".join(sorted(set(services or []))),
        dids=",".join(sorted(set(dids))),
        created_by=actor,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="callpath-closure-added",
        target=day.isoformat(),
        detail={"services": row.services, "dids": row.dids, "reason": reason_text},
    )
    session.commit()
    return _view(row)


def delete_closure(session: Session, *, closure_id: int, actor: str) -> None:
    """Remove a closure day (audited)."""
    row = session.get(CallpathClosure, closure_id)
    if row is None:
        raise UnknownConfig(kind="closure", key=str(closure_id))
    day = row.day.isoformat()
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="callpath-closure-deleted",
        target=day,
        detail={"closure_id": closure_id},
    )
    session.commit()


def calendar_closures(session: Session) -> tuple[Closure, ...]:
    """Every stored closure in the calendar's form (for the call path's configuration)."""
    return tuple(v.closure() for v in list_closures(session))
