"""What the supervisor's daily-report screen reads and writes (R-DAILY): the recent reports with
their status, one report as JSON (① and the texts, who did what and when), checked edits with an
optimistic version, and drafting a past day. The steps themselves are cms.reports.daily's."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from cms.reports.daily import draft_daily, edit_daily, get_daily, numbers_of
from cms.reports.dailytypes import FIELD_LABELS_JA, TEXT_FIELDS
from cms.reports.models import DailyReport
from realtime.audit.models import AuditEntry
from realtime.errors import Conflict, ValidationFailed
from realtime.timeutil import JST, as_utc, format_jst, utcnow

MAX_FIELD_CHARS = 4000
"""Longest narrative field accepted from the screen (a daily mail stays readable)."""

STATUS_LABELS_JA: dict[str, tuple[str, str]] = {
    "draft": ("✎", "下書き"),
    "approved": ("✔", "承認済み（未送信）"),
    "sent": ("✉", "送信済み"),
    "failed": ("⚠", "送信失敗（再送できます）"),
}
ACTION_LABELS_JA: dict[str, str] = {
    "report.daily.drafted": "下書き作成（①集計）",
    "report.daily.edited": "記入・保存",
    "report.daily.approved": "承認",
    "report.daily.sent": "送信",
}


class DailyReportChanged(Conflict):
    """The report changed since the screen loaded it (optimistic version check)."""

    error_id = "daily-report-changed"
    message_ja = (
        "この日報は画面を開いた後に他の人が更新しました。"
        "「最新の内容を読み込む」で確認してから、もう一度操作してください。"
    )

    def __init__(self, *, day: dt.date, expected: str, current: str) -> None:
        super().__init__(day=day.isoformat(), expected=expected, current=current)
        self.day = day
        self.expected = expected
        self.current = current


def status_of(row: DailyReport) -> str:
    """draft, approved, sent, or failed (approved with a send error recorded)."""
    if row.state == "approved" and row.last_error:
        return "failed"
    return row.state


def _iso(value: dt.datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _jst(value: dt.datetime | None) -> str:
    return format_jst(value) if value is not None else ""


def version_of(row: DailyReport) -> str:
    """A fingerprint of everything a supervisor sees; any change gives another value."""
    parts = [
        row.state,
        row.numbers,
        *(str(getattr(row, name)) for name in TEXT_FIELDS),
        _iso(row.drafted_at),
        _iso(row.approved_at),
        _iso(row.sent_at),
        row.send_attempts,
        row.last_error,
        row.edited_by,
        row.approved_by,
    ]
    raw = json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:20]


@dataclass(frozen=True)
class DailySummary:
    """One line of the list of recent reports."""

    day: str
    state: str
    status: str
    status_icon: str
    status_label: str
    calls_received: int | None
    drafted_at: str
    approved_by: str
    sent_at: str


@dataclass(frozen=True)
class HistoryItem:
    """One audited step of a report: who did what and when (Japan time)."""

    at: str
    actor: str
    action: str
    label: str
    outcome: str
    detail: str


def summary_of(row: DailyReport) -> DailySummary:
    """The list line of one report."""
    status = status_of(row)
    icon, label = STATUS_LABELS_JA[status]
    calls = json.loads(row.numbers or "{}").get("calls_received")
    return DailySummary(
        day=row.day.isoformat(),
        state=row.state,
        status=status,
        status_icon=icon,
        status_label=label,
        calls_received=calls if isinstance(calls, int) else None,
        drafted_at=_jst(row.drafted_at),
        approved_by=row.approved_by,
        sent_at=_jst(row.sent_at),
    )


def recent_daily(session: Session, *, limit: int = 31) -> list[DailySummary]:
    """The newest reports first."""
    rows = session.exec(select(DailyReport).order_by(col(DailyReport.day).desc()).limit(limit))
    return [summary_of(row) for row in rows]


def _detail_text(entry: AuditEntry) -> str:
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        return ""
    if entry.action == "report.daily.edited":
        names = [FIELD_LABELS_JA.get(str(n), str(n)) for n in detail.get("fields", [])]
        return "、".join(names)
    if entry.action == "report.daily.sent":
        attempts = detail.get("attempts")
        text = f"{attempts}回目の試行" if attempts else ""
        if entry.outcome != "success":
            text += "・失敗" if text else "失敗"
        return text
    return ""


def history_of(session: Session, *, day: dt.date) -> list[HistoryItem]:
    """Every audited step of the report of ``day``, oldest first."""
    entries = session.exec(
        select(AuditEntry)
        .where(
            col(AuditEntry.target) == day.isoformat(),
            col(AuditEntry.action).in_(list(ACTION_LABELS_JA)),
        )
        .order_by(col(AuditEntry.seq))
    )
    items = []
    for e in entries:
        label = ACTION_LABELS_JA[e.action]
        if e.outcome != "success":
            label += "（失敗）"
        items.append(
            HistoryItem(
                at=format_jst(e.at),
                actor=e.actor,
                action=e.action,
                label=label,
                outcome=e.outcome,
                detail=_detail_text(e),
            )
        )
    return items


def detail_json(session: Session, *, day: dt.date) -> dict[str, Any]:
    """One report for the screen: ①, the texts, status, version and its history."""
    row = get_daily(session, day=day)
    summary = summary_of(row)
    return {
        **asdict(summary),
        "version": version_of(row),
        "numbers": asdict(numbers_of(row)),
        "texts": {name: str(getattr(row, name)) for name in TEXT_FIELDS},
        "labels": dict(FIELD_LABELS_JA),
        "edited_by": row.edited_by,
        "approved_at": _jst(row.approved_at),
        "send_attempts": row.send_attempts,
        "last_error": row.last_error,
        "editable": row.state == "draft",
        "history": [asdict(h) for h in history_of(session, day=day)],
    }


def _allowed_char(ch: str) -> bool:
    return ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def check_texts(raw: Any) -> dict[str, str]:
    """The narrative fields of a request, or ValidationFailed with a Japanese message per field."""
    if not isinstance(raw, Mapping) or not raw:
        raise ValidationFailed(fields={"fields": "保存する項目を指定してください。"})
    problems: dict[str, str] = {}
    texts: dict[str, str] = {}
    for name, value in raw.items():
        label = FIELD_LABELS_JA.get(str(name))
        if label is None:
            problems[str(name)[:40]] = "この項目は日報にありません。"
            continue
        if not isinstance(value, str):
            problems[name] = f"{label}は文字で入力してください。"
            continue
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > MAX_FIELD_CHARS:
            problems[name] = (
                f"{label}は{MAX_FIELD_CHARS}文字以内で入力してください（現在{len(text)}文字）。"
            )
        elif not all(_allowed_char(ch) for ch in text):
            problems[name] = f"{label}に使用できない制御文字が含まれています。"
        else:
            texts[name] = text.strip()
    if problems:
        raise ValidationFailed(fields=problems)
    return texts


def check_version(raw: Any) -> str | None:
    """The optional version the screen last saw."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not 1 <= len(raw) <= 64:
        raise ValidationFailed(fields={"version": "版の指定が正しくありません。"})
    return raw


def _locked(session: Session, *, day: dt.date) -> DailyReport:
    row = session.exec(
        select(DailyReport).where(col(DailyReport.day) == day).with_for_update()
    ).one_or_none()
    return row if row is not None else get_daily(session, day=day)


def ensure_version(session: Session, *, day: dt.date, version: str | None) -> DailyReport:
    """Lock the report's row and refuse when it changed since ``version`` was read."""
    row = _locked(session, day=day)
    current = version_of(row)
    if version is not None and version != current:
        raise DailyReportChanged(day=day, expected=version, current=current)
    return row


def edit_checked(
    session: Session,
    *,
    day: dt.date,
    actor: str,
    fields: Mapping[str, str],
    version: str | None,
) -> DailyReport:
    """edit_daily after the version check, under the row lock."""
    ensure_version(session, day=day, version=version)
    return edit_daily(session, day=day, actor=actor, fields=fields)


def parse_day(raw: str, *, name: str = "day") -> dt.date:
    """A ``YYYY-MM-DD`` day, or ValidationFailed."""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            fields={name: "日付は YYYY-MM-DD 形式（例：2026-11-02）で指定してください。"}
        ) from None


def today_jst(now: dt.datetime | None = None) -> dt.date:
    """Today in Japan."""
    return (now or utcnow()).astimezone(JST).date()


def draft_past_day(
    session: Session, *, day: dt.date, actor: str, now: dt.datetime | None = None
) -> DailyReport:
    """Draft (or re-draft) the report of a day that is over: ① over the whole day."""
    moment = now or utcnow()
    if day >= today_jst(moment):
        raise ValidationFailed(
            fields={
                "day": "終わった日（昨日以前）を指定してください。"
                "当日分は閉局後に自動で作成されます。"
            }
        )
    return draft_daily(session, day=day, actor=actor, now=moment)
