"""The inbox worker inside the server: every ``inbox_clock_seconds`` it connects received mail
the intake hook missed, delivers due outbox mail, and pushes the 24-hour clock to the
supervisors' wallboard (Socket.IO ``/supervisor``, event ``inbox.clock``). It also registers the
fax receiver on the switch's ESL client when the switch runs.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from inbox.clock.service import ClockStatus, clock_status
from inbox.config import InboxSettings
from inbox.fax.ocr import ocr_category
from inbox.fax.service import FaxOutcome, IncomingFax, receive_fax
from inbox.fax.switch import FaxReceiver
from inbox.intake.privacy import inbox_box
from inbox.reply.outbox import deliver_due
from inbox.scan.scanner import build_scanner
from inbox.sorting.connect import MailConnector, connect_pending
from mediastore.store.config import store_from_settings
from realtime.subsystems import LoopTask
from realtime.timeutil import utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

    from realtime.http.context import AppContext

log = logging.getLogger("inbox.clock")
CLOCK_EVENT = "inbox.clock"


def inbox_settings(ctx: AppContext) -> InboxSettings:
    """The inbox settings of this app (read once from the environment, then shared)."""
    found = ctx.extras.get("inbox_settings")
    if not isinstance(found, InboxSettings):
        found = InboxSettings()
        ctx.extras["inbox_settings"] = found
    return found


def connector_for(ctx: AppContext) -> MailConnector:
    """The one MailConnector of this app."""
    found = ctx.extras.get("inbox_connector")
    if isinstance(found, MailConnector):
        return found
    config = inbox_settings(ctx)
    connector = MailConnector(
        media=store_from_settings(ctx.settings),
        box=inbox_box(ctx.secret),
        config=config,
        scanner=build_scanner(clamd=config.inbox_clamd, max_bytes=config.inbox_scan_max_bytes),
        ocr=ocr_category if config.inbox_ocr else None,
    )
    ctx.extras["inbox_connector"] = connector
    return connector


def current_clock(ctx: AppContext) -> ClockStatus:
    """The clock now (runs in the DB thread)."""
    minutes = inbox_settings(ctx).inbox_near_due_minutes
    with ctx.db.session() as session:
        return clock_status(session, now=utcnow(), near_due=timedelta(minutes=minutes))


@dataclass
class InboxWorker:
    """Periodic catch-up, delivery and clock push."""

    ctx: AppContext
    name: str = "inbox-worker"
    ticks: int = 0
    _loop_task: LoopTask = field(default_factory=lambda: LoopTask("inbox worker"))
    receiver: FaxReceiver | None = None
    last_clock: dict[str, Any] = field(default_factory=dict)

    async def start(self) -> None:
        """Register the fax receiver (if the switch runs) and start the loop.

        The worker does not gate ``/readyz``: its rounds catch and log every failure and retry,
        so a broken relay or database hiccup must not take the web server out of service (as
        with the IMAP intake). Its check is therefore taken off the readiness list.
        """
        self.ctx.readiness.checks.pop(self.name, None)
        switch = self.ctx.extras.get("switch")
        if switch is not None:
            connector = connector_for(self.ctx)

            def take(session: Session, fax: IncomingFax) -> FaxOutcome:
                return receive_fax(
                    session,
                    fax=fax,
                    media=connector.media,
                    box=connector.box,
                    scanner=connector.scanner,
                    default_skill=connector.config.inbox_default_skill,
                    ocr=connector.ocr,
                )

            self.receiver = FaxReceiver(db=self.ctx.db, take=take)
            self.receiver.register(switch.client)
        self.ctx.hub.add_snapshot_provider("/supervisor", self._snapshot)
        self._loop_task.start(self._loop(), name="inbox-worker")

    async def _snapshot(self, *_args: Any) -> dict[str, Any]:
        status = await self.ctx.db.run(current_clock, self.ctx)
        return {"inbox_clock": status.to_json()}

    async def stop(self) -> None:
        """Stop the loop."""
        await self._loop_task.stop()

    async def ready(self) -> None:
        """Ready while the loop runs."""
        self._loop_task.check()

    async def tick(self) -> dict[str, Any]:
        """One round: catch up, deliver, push the clock; returns the clock pushed."""
        connector = connector_for(self.ctx)

        def catch_up() -> int:
            with self.ctx.db.session() as session:
                return connect_pending(session, connector)

        await self.ctx.db.run(catch_up)
        if connector.config.smtp_host and connector.config.inbox_reply_from:
            await deliver_due(self.ctx.db, box=connector.box, config=connector.config)
        status = (await self.ctx.db.run(current_clock, self.ctx)).to_json()
        await self.ctx.hub.emit(CLOCK_EVENT, status, namespace="/supervisor", room="all")
        self.last_clock = status
        self.ticks += 1
        return status

    async def _loop(self) -> None:
        interval = inbox_settings(self.ctx).inbox_clock_seconds
        while True:
            try:
                await self.tick()
            except Exception:  # a database hiccup must not stop the clock for good
                log.exception("inbox worker round failed")
            await asyncio.sleep(interval)


def wanted(ctx: AppContext) -> bool:
    """Whether the worker runs: ``MADOGUCHI_INBOX_WORKER`` when set, else whenever mail, faxes
    or replies can flow (IMAP mailboxes, a switch, or an SMTP relay are configured)."""
    config = inbox_settings(ctx)
    if config.inbox_worker is not None:
        return config.inbox_worker
    settings = ctx.settings
    return bool(settings.imap_mailboxes or settings.switch_mode != "off" or config.smtp_host)


def build(ctx: AppContext) -> InboxWorker | None:
    """The app's subsystem factory; None when nothing can reach the inbox (see ``wanted``)."""
    return InboxWorker(ctx) if wanted(ctx) else None
