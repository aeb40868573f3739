"""The daily report (R-DAILY): drafted after the day closes, completed and approved by a
supervisor, then mailed to the city. States only move forward: draft → approved → sent; every
step is audited. Numbers ① come from the event log; the free-text fields must hold no personal
data (crm.pii guard) before approval and before sending.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiosmtplib
from sqlmodel import Session, col, select

from cms.kpi.grouping import Period
from cms.kpi.settings import KpiSettings
from cms.reports.assemble import kpi_report
from cms.reports.dailytypes import TEXT_FIELDS, DailyNumbers
from cms.reports.errors import DailyReportNotFound, DailyReportState, MailSendFailed
from cms.reports.facts import load_facts
from cms.reports.mail import compose
from cms.reports.mailconfig import ReportMailSettings
from cms.reports.models import DailyReport
from cms.reports.recipients import with_stored_recipients
from crm.pii.guard import ensure_no_personal_data
from inbox.reply.tls import smtp_tls_context
from realtime.audit.service import record
from realtime.timeutil import utcnow

MAX_TEXT = 20_000


def _int(value: float | None) -> int:
    return int(value or 0)


def daily_numbers(
    session: Session,
    *,
    day: dt.date,
    settings: KpiSettings,
    now: dt.datetime,
    until: dt.datetime | None = None,
) -> DailyNumbers:
    """Compute ① for one JST day (refused while the day is not over), or for the day up to
    ``until`` (the automatic draft after the center's close)."""
    period = Period.days(day, day)
    if until is not None and until < period.end:
        period = Period(period.start, until)
    fs = load_facts(session, period=period, settings=settings, now=now)
    total = kpi_report(fs, dimensions=("period",), settings=settings).total
    by_cat = kpi_report(fs, dimensions=("category",), settings=settings)
    by_hour = kpi_report(fs, dimensions=("hour",), settings=settings)
    categories = {
        "(未分類)" if g.key["category"] is None else str(g.key["category"]): _int(
            g.covid.calls_answered.value
        )
        for g in by_cat.groups
        if g.covid.calls_received.numerator > 0
    }
    hours = [0] * 24
    for g in by_hour.groups:
        hours[int(g.key["hour"] or 0)] = _int(g.phone.calls_received.value)
    return DailyNumbers(
        calls_received=_int(total.phone.calls_received.value),
        calls_answered=_int(total.phone.calls_answered.value),
        emails=_int(total.items.emails_received.value),
        faxes=_int(total.items.faxes_received.value),
        total_inquiries=_int(total.total_inquiries.value),
        operators_max=_int(total.operators_deployed.value),
        covid_received=_int(total.covid.calls_received.value),
        covid_answered=_int(total.covid.calls_answered.value),
        covid_answered_by_category=categories,
        calls_by_hour=hours,
        provisional=fs.provisional,
    )


def numbers_of(report: DailyReport) -> DailyNumbers:
    """The stored ①."""
    return DailyNumbers(**json.loads(report.numbers))


def get_daily(session: Session, *, day: dt.date) -> DailyReport:
    """The daily report of ``day``."""
    row = session.exec(select(DailyReport).where(col(DailyReport.day) == day)).one_or_none()
    if row is None:
        raise DailyReportNotFound(day=day)
    return row


def draft_daily(
    session: Session,
    *,
    day: dt.date,
    actor: str,
    settings: KpiSettings | None = None,
    now: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> DailyReport:
    """Create the draft of ``day`` with ① computed, or recompute ① of an existing draft
    (``until``: only contacts up to that moment, for a draft made before midnight)."""
    moment = now or utcnow()
    numbers = daily_numbers(
        session, day=day, settings=settings or KpiSettings(), now=moment, until=until
    )
    row = session.exec(select(DailyReport).where(col(DailyReport.day) == day)).one_or_none()
    if row is None:
        row = DailyReport(day=day, numbers="{}", drafted_at=moment)
    elif row.state != "draft":
        raise DailyReportState(day=day, state=row.state, wanted="draft")
    row.numbers = json.dumps(numbers.__dict__, ensure_ascii=False, sort_keys=True)
    row.drafted_at = moment
    session.add(row)
    record(session, actor=actor, action="report.daily.drafted", target=day.isoformat())
    session.commit()
    return row


def edit_daily(
    session: Session, *, day: dt.date, actor: str, fields: Mapping[str, str]
) -> DailyReport:
    """Set narrative fields ②-⑤, voices of users and suspicious calls of a draft."""
    row = get_daily(session, day=day)
    if row.state != "draft":
        raise DailyReportState(day=day, state=row.state, wanted="draft")
    unknown = sorted(set(fields) - set(TEXT_FIELDS))
    if unknown:
        raise DailyReportState(day=day, state=row.state, wanted=f"fields {unknown}")
    ensure_no_personal_data(fields=fields)
    for name, value in fields.items():
        setattr(row, name, value[:MAX_TEXT])
    row.edited_by = actor
    session.add(row)
    record(
        session,
        actor=actor,
        action="report.daily.edited",
        target=day.isoformat(),
        detail={"fields": sorted(fields)},
    )
    session.commit()
    return row


def _texts(row: DailyReport) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in TEXT_FIELDS}


def approve_daily(session: Session, *, day: dt.date, actor: str) -> DailyReport:
    """draft → approved, after the personal-data check of every free-text field."""
    row = get_daily(session, day=day)
    if row.state != "draft":
        raise DailyReportState(day=day, state=row.state, wanted="approved")
    ensure_no_personal_data(fields=_texts(row))
    row.state = "approved"
    row.approved_by = actor
    row.approved_at = utcnow()
    session.add(row)
    record(session, actor=actor, action="report.daily.approved", target=day.isoformat())
    session.commit()
    return row


Sender = Callable[..., Awaitable[Any]]


def _temporary(exc: Exception) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(400 <= r.code < 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    return isinstance(exc, aiosmtplib.SMTPException | OSError)


async def send_daily(
    session: Session,
    *,
    day: dt.date,
    actor: str,
    mail: ReportMailSettings,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DailyReport:
    """approved → sent: mail the report; temporary failures are retried with back-off, and a
    final failure leaves it approved with the error recorded (never lost)."""
    mail = with_stored_recipients(session, mail=mail)
    mail.check()
    row = get_daily(session, day=day)
    if row.state != "approved":
        raise DailyReportState(day=day, state=row.state, wanted="sent")
    ensure_no_personal_data(fields=_texts(row))
    message = compose(row, numbers_of(row), sender=mail.report_from or "", to=mail.recipients())
    password = mail.smtp_password.get_secret_value() if mail.smtp_password else None
    delays = (*mail.retry_delays, None)
    pending = mail.recipients()
    error = ""
    for delay in delays:
        row.send_attempts += 1
        try:
            refused, _reply = await aiosmtplib.send(
                message,
                recipients=pending,
                hostname=mail.smtp_host,
                port=mail.smtp_port,
                start_tls=mail.smtp_starttls,
                use_tls=mail.smtp_tls,
                tls_context=smtp_tls_context(ca_file=mail.smtp_ca_file),
                username=mail.smtp_user,
                password=password,
                timeout=mail.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            temporary = _temporary(exc)
        else:
            # some recipients accepted, others refused: retry only those refused
            pending = sorted(refused)
            error = "; ".join(f"{r}: {code} {text}" for r, (code, text) in sorted(refused.items()))
            temporary = all(400 <= code < 500 for code, _ in refused.values())
        if not pending or not error:
            row.state = "sent"
            row.sent_at = utcnow()
            row.last_error = ""
            session.add(row)
            record(
                session,
                actor=actor,
                action="report.daily.sent",
                target=day.isoformat(),
                detail={"recipients": len(mail.recipients()), "attempts": row.send_attempts},
            )
            session.commit()
            return row
        row.last_error = error
        session.add(row)
        session.commit()
        if not temporary or delay is None:
            break
        await sleep(delay)
    record(
        session,
        actor=actor,
        action="report.daily.sent",
        outcome="failure",
        target=day.isoformat(),
        detail={"error": error[:500], "attempts": row.send_attempts},
    )
    session.commit()
    raise MailSendFailed(day=day, attempts=row.send_attempts, error=error)
