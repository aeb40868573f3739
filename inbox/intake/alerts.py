"""Alerts of the intake: a counter per mailbox and kind, a structured log line, callbacks for the
monitoring, and an audit entry (``imap-login-failed`` ...) at most once per interval."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from realtime.audit import service as audit
from realtime.db import Database

log = logging.getLogger("inbox.intake")

AUDITED_KINDS = frozenset({"login-failed", "connect-failed", "connection-lost", "intake-failed"})


@dataclass(frozen=True)
class IntakeAlert:
    """One problem with a mailbox, as the monitoring receives it."""

    mailbox: str
    kind: str
    error_id: str
    reason: str
    attempt: int
    retry_in_s: float
    at: datetime


AlertHook = Callable[[IntakeAlert], None]


@dataclass
class IntakeAlerts:
    """Collects alerts; ``hooks`` are called with each one (exceptions in a hook are logged)."""

    db: Database | None = None
    audit_interval: timedelta = timedelta(minutes=15)
    hooks: list[AlertHook] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    _last_audit: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def raise_alert(self, alert: IntakeAlert) -> bool:
        """Count, log and hand on one alert; True when it is due for an audit entry
        (write it with :meth:`write_audit`, in a worker thread)."""
        with self._lock:
            self.counts[(alert.mailbox, alert.kind)] += 1
            key = (alert.mailbox, alert.kind)
            last = self._last_audit.get(key)
            due = alert.kind in AUDITED_KINDS and (
                last is None or alert.at - last >= self.audit_interval
            )
            if due:
                self._last_audit[key] = alert.at
        log.warning(
            "imap intake alert %s",
            json.dumps(
                {
                    "mailbox": alert.mailbox,
                    "kind": alert.kind,
                    "error": alert.error_id,
                    "reason": alert.reason,
                    "attempt": alert.attempt,
                    "retry_in_s": round(alert.retry_in_s, 3),
                },
                ensure_ascii=False,
            ),
        )
        for hook in list(self.hooks):
            try:
                hook(alert)
            except Exception:  # a broken monitor must not stop the intake
                log.exception("imap alert hook failed")
        return due

    def write_audit(self, alert: IntakeAlert) -> None:
        """Append the audit entry for ``alert`` (database errors are logged, not raised)."""
        if self.db is None:
            return
        try:
            with self.db.session() as session:
                audit.record(
                    session,
                    actor="system:imap",
                    action=f"imap-{alert.kind}",
                    outcome="failure",
                    target=alert.mailbox,
                    detail={"error": alert.error_id, "reason": alert.reason},
                )
        except Exception:  # the database may be the thing that is down
            log.exception("could not audit imap alert")

    def count(self, *, mailbox: str, kind: str) -> int:
        """How many alerts of ``kind`` this mailbox has raised."""
        return self.counts[(mailbox, kind)]
