"""Fault alerts (N-REL-1): a fault the server notices as it happens raises an alert at once.

The monitor's rules (``rules.py``) look every 15 s at conditions that last; a fault that is over
in a second (an ESL connection dropped and re-made, an IMAP reset, a database restart) would
pass between two looks. :class:`Incidents` raises such faults when they are noticed and clears
them when the part recovers, as ``monitor_alert`` rows (one open alert per ``kind:subject``, as
the monitor's), pushed as ``alert`` to ``/supervisor`` and ``/admin`` and mailed like any alert.

The database may be the part that failed: incidents are kept in memory first and written by a
background flush that retries until the database answers, so an outage is stored (with the
times it was noticed and cleared) once the database is back. ``history`` keeps every incident of
this process with monotonic times (the fault suite reads recovery times from it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from realtime.monitoring import store
from realtime.monitoring.models import Alert
from realtime.timeutil import utcnow

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger(__name__)

KEY = "incidents"
AUDIENCES = ("/supervisor", "/admin")
RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)

Severity = Literal["warning", "critical"]


@dataclass
class Incident:
    """One fault as this process saw it."""

    kind: str
    subject: str
    severity: Severity
    message_ja: str
    detail: dict[str, Any]
    raised_at: datetime
    raised_mono: float
    cleared_at: datetime | None = None
    cleared_mono: float | None = None
    alert_id: int | None = None
    stored: Literal["none", "open", "cleared"] = "none"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"[:170]

    @property
    def recovery_s(self) -> float | None:
        """Seconds from noticed to cleared (None while open)."""
        if self.cleared_mono is None:
            return None
        return self.cleared_mono - self.raised_mono


@dataclass
class Incidents:
    """Raise and clear fault alerts; store them when the database answers."""

    ctx: AppContext
    history: list[Incident] = field(default_factory=list)
    _open: dict[str, Incident] = field(default_factory=dict)
    _dirty: list[Incident] = field(default_factory=list)
    _wake: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    _listeners: list[Callable[[Incident], None]] = field(default_factory=list)

    # --- raising and clearing --------------------------------------------------------------

    def raise_(
        self,
        *,
        kind: str,
        subject: str,
        message_ja: str,
        severity: Severity = "critical",
        detail: dict[str, Any] | None = None,
    ) -> Incident:
        """Raise (once while open) the fault ``kind:subject``."""
        key = f"{kind}:{subject}"[:170]
        current = self._open.get(key)
        if current is not None:
            current.detail.update(detail or {})
            return current
        incident = Incident(
            kind=kind,
            subject=subject,
            severity=severity,
            message_ja=message_ja,
            detail=dict(detail or {}),
            raised_at=utcnow(),
            raised_mono=time.monotonic(),
        )
        self._open[key] = incident
        self.history.append(incident)
        log.warning("fault raised: %s %s", key, json.dumps(incident.detail, default=str))
        self._changed(incident)
        return incident

    def clear(self, *, kind: str, subject: str, detail: dict[str, Any] | None = None) -> None:
        """The part recovered: clear ``kind:subject`` (also one left open by an earlier run)."""
        key = f"{kind}:{subject}"[:170]
        incident = self._open.pop(key, None)
        if incident is None:
            incident = Incident(
                kind=kind,
                subject=subject,
                severity="warning",
                message_ja="",
                detail={},
                raised_at=utcnow(),
                raised_mono=time.monotonic(),
                stored="open",  # only clears a stored open row, if there is one
            )
        incident.detail.update(detail or {})
        incident.cleared_at = utcnow()
        incident.cleared_mono = time.monotonic()
        log.warning("fault cleared: %s", key)
        self._changed(incident)

    def once(
        self,
        *,
        kind: str,
        subject: str,
        message_ja: str,
        severity: Severity = "warning",
        detail: dict[str, Any] | None = None,
    ) -> Incident:
        """A fault noticed after it was already over (raised and cleared together)."""
        incident = self.raise_(
            kind=kind, subject=subject, message_ja=message_ja, severity=severity, detail=detail
        )
        self.clear(kind=kind, subject=subject)
        return incident

    def is_open(self, kind: str, subject: str) -> bool:
        return f"{kind}:{subject}"[:170] in self._open

    def on_change(self, listener: Callable[[Incident], None]) -> None:
        """Call ``listener`` with each raised or cleared incident (tests, the fault table)."""
        self._listeners.append(listener)

    def _changed(self, incident: Incident) -> None:
        if incident not in self._dirty:
            self._dirty.append(incident)
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(incident)
        if self._wake is not None:
            self._wake.set()

    # --- storing ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the background flush."""
        self._wake = asyncio.Event()
        self._wake.set()
        self._task = asyncio.create_task(self._flush_forever(), name="incidents-flush")

    async def stop(self) -> None:
        """Try one last flush, then stop."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.flush(), 5)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _flush_forever(self) -> None:
        assert self._wake is not None
        failures = 0
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
                failures = 0
            except Exception as exc:  # the database may be away: retry later
                log.warning("could not store fault alerts yet: %s", type(exc).__name__)
                await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
                failures += 1
                self._wake.set()

    async def flush(self) -> None:
        """Write every changed incident; push each stored change to the boards."""
        while self._dirty:
            incident = self._dirty[0]
            alert = await self.ctx.db.run(self._store, incident)
            self._dirty.pop(0)
            if alert is not None:
                await self._push(alert)

    def _store(self, incident: Incident) -> Alert | None:
        with self.ctx.db.session() as session:
            alert = self._write(session, incident)
            session.commit()
            if alert is not None:
                session.refresh(alert)
                session.expunge(alert)
            return alert

    def _write(self, session: Session, incident: Incident) -> Alert | None:
        alert: Alert | None = None
        if incident.alert_id is not None:
            alert = session.get(Alert, incident.alert_id)
        if alert is None:
            alert = session.exec(select(Alert).where(col(Alert.open_key) == incident.key)).first()
        if alert is None and incident.stored == "none":
            alert = Alert(
                kind=incident.kind,
                severity=incident.severity,
                subject=incident.subject[:128],
                detail=json.dumps(incident.detail, ensure_ascii=False, sort_keys=True, default=str),
                message_ja=incident.message_ja,
                raised_at=incident.raised_at,
                open_key=incident.key,
                mail_state="pending" if self._mail_configured() else "off",
            )
            try:
                with session.begin_nested():
                    session.add(alert)
            except IntegrityError:  # another process holds it open: adopt that one
                alert = session.exec(
                    select(Alert).where(col(Alert.open_key) == incident.key)
                ).first()
        if alert is None:
            return None
        incident.alert_id = alert.id
        alert.detail = json.dumps(
            {**json.loads(alert.detail or "{}"), **incident.detail},
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        if incident.cleared_at is not None and alert.cleared_at is None:
            alert.cleared_at = incident.cleared_at
            alert.open_key = None
            incident.stored = "cleared"
        elif incident.stored == "none":
            incident.stored = "open"
        session.add(alert)
        session.flush()
        return alert

    def _mail_configured(self) -> bool:
        from realtime.monitoring.subsystem import MONITOR_KEY

        monitor = self.ctx.extras.get(MONITOR_KEY)
        return bool(monitor is not None and monitor.target.configured)

    async def _push(self, alert: Alert) -> None:
        from realtime.monitoring.subsystem import MONITOR_KEY

        data = store.public(alert)
        for namespace in AUDIENCES:
            await self.ctx.hub.emit("alert", data, namespace=namespace, room="all")
        monitor = self.ctx.extras.get(MONITOR_KEY)
        if monitor is not None and alert.cleared_at is None:
            monitor.wake_mailer()


def of(ctx: AppContext) -> Incidents:
    """The app's incidents (made on first use)."""
    found = ctx.extras.get(KEY)
    if found is None:
        found = Incidents(ctx)
        ctx.extras[KEY] = found
    assert isinstance(found, Incidents)
    return found


def note_mail_result(ctx: AppContext, *, state: str, error: str) -> None:
    """An alert mail's outcome: a temporary SMTP failure (retry) is a fault until one is sent."""
    faults = of(ctx)
    if state == "retry":
        faults.raise_(
            kind="mail_send",
            subject="smtp",
            severity="warning",
            message_ja="メールサーバーが一時エラーを返しました。送信を再試行しています。",
            detail={"error": error[:200]},
        )
    elif state == "sent" and faults.is_open("mail_send", "smtp"):
        faults.clear(kind="mail_send", subject="smtp")
