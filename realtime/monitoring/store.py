"""Raise, clear, acknowledge and list stored alerts. One open alert per condition (no storms)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from realtime.audit import service as audit
from realtime.monitoring.errors import AlertNotFound
from realtime.monitoring.models import Alert
from realtime.timeutil import as_utc

Severity = Literal["warning", "critical"]
RECENT = timedelta(hours=12)

KIND_LABELS_JA: dict[str, str] = {
    "subsystem_down": "サブシステム停止",
    "service_level": "サービスレベル低下",
    "disk_space": "ディスク残量不足",
    "signin_failures": "サインイン失敗の多発",
    "audit_chain": "監査ログの改ざん検知",
    "queue_wait": "待ち時間超過",
    "items_due": "メール・FAXの期限",
    # fault alerts (realtime/monitoring/incidents.py)
    "switch_link": "交換機（ESL）接続断",
    "switch_restart": "交換機の再起動",
    "imap_link": "メール受信（IMAP）障害",
    "mail_send": "メール送信の一時エラー",
    "database": "データベース障害",
    "disk_write": "ディスク書き込み失敗",
    "server_restart": "サーバーの異常終了からの再起動",
    "reconnect_storm": "画面の一斉再接続",
}
SEVERITY_LABELS_JA: dict[str, str] = {"warning": "注意", "critical": "重大"}


@dataclass(frozen=True)
class Condition:
    """A condition a rule sees now; the stored alert is keyed by ``kind:subject``."""

    kind: str
    subject: str
    severity: Severity
    message_ja: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"[:170]


@dataclass
class Changes:
    """What one reconciliation did."""

    raised: list[Alert] = field(default_factory=list)
    cleared: list[Alert] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.raised or self.cleared)


def open_alerts(session: Session) -> list[Alert]:
    """Alerts not cleared, oldest first."""
    stmt = select(Alert).where(col(Alert.cleared_at).is_(None)).order_by(col(Alert.id))
    return list(session.exec(stmt))


def reconcile(
    session: Session,
    *,
    kinds: set[str],
    firing: list[Condition],
    now: datetime,
    mail: bool,
) -> Changes:
    """Raise what fires and is not open; clear what is open (of ``kinds``) and no longer fires."""
    changes = Changes()
    current = {a.open_key: a for a in open_alerts(session) if a.kind in kinds}
    wanted = {c.key: c for c in firing}
    for key, alert in current.items():
        if key not in wanted:
            alert.cleared_at = now
            alert.open_key = None
            session.add(alert)
            changes.cleared.append(alert)
    session.flush()
    for key, condition in wanted.items():
        if key in current:
            continue
        alert = Alert(
            kind=condition.kind,
            severity=condition.severity,
            subject=condition.subject[:128],
            detail=json.dumps(condition.detail, ensure_ascii=False, sort_keys=True, default=str),
            message_ja=condition.message_ja,
            raised_at=now,
            open_key=key,
            mail_state="pending" if mail else "off",
        )
        try:
            with session.begin_nested():
                session.add(alert)
        except IntegrityError:
            continue  # another server process raised the same condition first
        changes.raised.append(alert)
    return changes


def acknowledge(session: Session, *, alert_id: int, actor: str, ip: str, now: datetime) -> Alert:
    """Mark an alert as seen by ``actor`` (audited); acknowledging twice keeps the first."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(alert_id=str(alert_id))
    if alert.acknowledged_by is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = now
        session.add(alert)
        audit.record(
            session,
            actor=actor,
            action="alert-acknowledged",
            target=str(alert_id),
            ip=ip,
            detail={"kind": alert.kind, "subject": alert.subject},
        )
    return alert


def recent(session: Session, *, now: datetime, limit: int = 100) -> list[Alert]:
    """Open alerts and those cleared in the last 12 hours, newest first."""
    stmt = (
        select(Alert)
        .where(or_(col(Alert.cleared_at).is_(None), col(Alert.cleared_at) >= now - RECENT))
        .order_by(col(Alert.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))


def public(alert: Alert) -> dict[str, Any]:
    """What the wallboard and the admin screen receive."""

    def iso(value: datetime | None) -> str | None:
        return as_utc(value).isoformat() if value is not None else None

    return {
        "id": alert.id,
        "kind": alert.kind,
        "kind_label": KIND_LABELS_JA.get(alert.kind, alert.kind),
        "severity": alert.severity,
        "severity_label": SEVERITY_LABELS_JA.get(alert.severity, alert.severity),
        "subject": alert.subject,
        "message": alert.message_ja,
        "detail": json.loads(alert.detail),
        "raised_at": iso(alert.raised_at),
        "cleared_at": iso(alert.cleared_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso(alert.acknowledged_at),
        "open": alert.cleared_at is None,
    }
