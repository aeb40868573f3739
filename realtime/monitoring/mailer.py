"""Mail each raised alert once to the configured recipients (aiosmtplib), with retries.

The SMTP server and sender are the daily report's settings; each alert is claimed before sending
(``pending``/``retry`` → ``sending``) so two server processes never mail it twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy import update
from sqlmodel import Session, col, select

from cms.reports.mailconfig import ReportMailSettings
from realtime.monitoring.models import Alert
from realtime.monitoring.store import KIND_LABELS_JA, SEVERITY_LABELS_JA
from realtime.timeutil import format_jst

WAITING = ("pending", "retry")


@dataclass(frozen=True)
class MailTarget:
    """Where alert mail goes: the report's SMTP settings plus the alert recipients."""

    smtp: ReportMailSettings
    recipients: list[str]
    wallboard_url: str

    @property
    def configured(self) -> bool:
        return bool(self.smtp.smtp_host and self.smtp.report_from and self.recipients)


def compose(alert: Alert, *, sender: str, to: list[str], wallboard_url: str) -> EmailMessage:
    """A plain-text Japanese mail for one alert."""
    severity = SEVERITY_LABELS_JA.get(alert.severity, alert.severity)
    kind = KIND_LABELS_JA.get(alert.kind, alert.kind)
    msg = EmailMessage()
    msg["Subject"] = f"【窓口 警報・{severity}】{kind}: {alert.subject}"
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    msg["X-Madoguchi-Alert"] = str(alert.id)
    facts = json.loads(alert.detail)
    lines = [
        alert.message_ja,
        "",
        f"種別: {kind}",
        f"重要度: {severity}",
        f"対象: {alert.subject}",
        f"発生日時: {format_jst(alert.raised_at)}（日本時間）",
        f"警報番号: {alert.id}",
        "",
        "測定値:",
        *(f"  {k}: {v}" for k, v in sorted(facts.items())),
        "",
        f"ウォールボード: {wallboard_url}",
    ]
    msg.set_content("\n".join(lines) + "\n", charset="utf-8")
    return msg


def claim(session: Session, *, alert_id: int) -> bool:
    """Take an alert's mail for this process; False when another took it."""
    result = session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id)
        .where(col(Alert.mail_state).in_(WAITING))
        .values(mail_state="sending", mail_attempts=Alert.mail_attempts + 1)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def waiting(session: Session) -> list[Alert]:
    """Alerts whose mail is due or to retry."""
    stmt = select(Alert).where(col(Alert.mail_state).in_(WAITING)).order_by(col(Alert.id))
    return list(session.exec(stmt))


def _temporary(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(400 <= r.code < 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    return isinstance(exc, aiosmtplib.SMTPException | OSError)


@dataclass
class SendResult:
    """The outcome of one attempt."""

    sent: bool
    temporary: bool = False
    error: str = ""
    refused: list[str] = field(default_factory=list)


async def send_one(alert: Alert, target: MailTarget) -> SendResult:
    """One SMTP attempt for one alert."""
    smtp = target.smtp
    message = compose(
        alert,
        sender=smtp.report_from or "",
        to=target.recipients,
        wallboard_url=target.wallboard_url,
    )
    password = smtp.smtp_password.get_secret_value() if smtp.smtp_password else None
    try:
        refused, _reply = await aiosmtplib.send(
            message,
            recipients=target.recipients,
            hostname=smtp.smtp_host,
            port=smtp.smtp_port,
            start_tls=smtp.smtp_starttls,
            use_tls=smtp.smtp_tls,
            username=smtp.smtp_user,
            password=password,
            timeout=smtp.timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        return SendResult(False, _temporary(exc), f"{type(exc).__name__}: {exc}")
    if refused:
        error = "; ".join(f"{r}: {code} {text}" for r, (code, text) in sorted(refused.items()))
        return SendResult(True, False, error, sorted(refused))
    return SendResult(True)


def record_attempt(
    session: Session, *, alert_id: int, result: SendResult, now: datetime, retries_left: bool
) -> Alert:
    """Store an attempt's outcome: sent, retry later, or failed for good."""
    alert = session.get(Alert, alert_id)
    assert alert is not None
    if result.sent:
        alert.mail_state, alert.mailed_at = "sent", now
    else:
        alert.mail_state = "retry" if result.temporary and retries_left else "failed"
    alert.mail_error = result.error[:1000]
    session.add(alert)
    return alert
