"""The intake as a background part of the server: one task per configured mailbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from prometheus_client import Counter
from sqlmodel import Session

from inbox.intake.alerts import IntakeAlert, IntakeAlerts
from inbox.intake.privacy import inbox_box
from inbox.intake.record import RecordOutcome
from inbox.intake.worker import MailboxIntake, StepHook
from mediastore.store.config import store_from_settings
from realtime.db import Database
from realtime.errors import MadoguchiError
from realtime.settings import ImapMailbox, Settings

if TYPE_CHECKING:
    from realtime.health import Metrics
    from realtime.http.context import AppContext

log = logging.getLogger("inbox.intake")


class ImapIntakeStopped(MadoguchiError):
    error_id = "imap-intake-stopped"
    status_code = 503
    message_ja = "受信メールの取り込みが停止しています。"

    def __init__(self, *, mailboxes: list[str]) -> None:
        super().__init__(mailboxes=mailboxes)
        self.mailboxes = mailboxes


@dataclass
class ImapIntake:
    """Runs every mailbox's intake loop; a mailbox that cannot connect keeps retrying."""

    workers: list[MailboxIntake]
    name: str = "imap-intake"
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    async def start(self) -> None:
        """Start one task per mailbox and return."""
        for worker in self.workers:
            self._tasks[worker.mailbox.name] = asyncio.create_task(
                worker.run_forever(), name=f"imap-intake-{worker.mailbox.name}"
            )

    async def stop(self) -> None:
        """Cancel the loops; a message being taken is either committed or taken again later."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def ready(self) -> None:
        """Raise when a loop has ended (a bug); a server that is down is an alert instead."""
        dead = [name for name, task in self._tasks.items() if task.done()]
        if dead:
            raise ImapIntakeStopped(mailboxes=dead)

    async def drain(self) -> int:
        """Take everything now waiting in every mailbox once (``madoguchi imap fetch``)."""
        total = 0
        for worker in self.workers:
            total += await worker.drain()
        return total


def own_addresses(mailboxes: list[ImapMailbox]) -> frozenset[str]:
    """The city's own receiving addresses (mail from them is a loop)."""
    return frozenset(m.address.lower() for m in mailboxes if m.address)


def build_intake(
    settings: Settings,
    *,
    db: Database,
    alerts: IntakeAlerts | None = None,
    step_hook: StepHook | None = None,
    metrics: Metrics | None = None,
    backoff_base: float = 1.0,
    after_record: Callable[[Session, RecordOutcome], None] | None = None,
) -> ImapIntake:
    """The intake for every mailbox in ``settings.imap_mailboxes``."""
    alerts = alerts or IntakeAlerts(
        db=db, audit_interval=timedelta(minutes=settings.imap_alert_interval_minutes)
    )
    on_recorded = None
    if metrics is not None:
        alert_counter = Counter(
            "madoguchi_imap_alerts_total",
            "IMAP intake alerts by mailbox and kind",
            ["mailbox", "kind"],
            registry=metrics.registry,
        )
        taken_counter = Counter(
            "madoguchi_imap_messages_total",
            "Messages taken by the IMAP intake, by state",
            ["state"],
            registry=metrics.registry,
        )

        def count_alert(alert: IntakeAlert) -> None:
            alert_counter.labels(mailbox=alert.mailbox, kind=alert.kind).inc()

        def count_taken(outcome: RecordOutcome) -> None:
            if not outcome.already:
                taken_counter.labels(state=outcome.state).inc()

        alerts.hooks.append(count_alert)
        on_recorded = count_taken
    media = store_from_settings(settings)
    box = inbox_box(settings.secret_key.get_secret_value())
    own = own_addresses(settings.imap_mailboxes)
    workers = [
        MailboxIntake(
            mailbox=mailbox,
            db=db,
            media=media,
            box=box,
            alerts=alerts,
            reply_within=timedelta(hours=settings.inbox_reply_hours),
            own_addresses=own,
            backoff_base=backoff_base,
            backoff_max=settings.imap_backoff_max_seconds,
            step_hook=step_hook,
            on_recorded=on_recorded,
            after_record=after_record,
        )
        for mailbox in settings.imap_mailboxes
    ]
    return ImapIntake(workers=workers)


def build(ctx: AppContext) -> ImapIntake | None:
    """The app's subsystem factory: None when no mailbox is configured."""
    if not ctx.settings.imap_mailboxes:
        return None
    from inbox.clock.subsystem import connector_for

    return build_intake(
        ctx.settings,
        db=ctx.db,
        metrics=ctx.extras.get("metrics"),
        after_record=connector_for(ctx).after_record,
    )
