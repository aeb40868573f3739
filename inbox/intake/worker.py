"""The intake loop of one mailbox: connect, take every UID above the cursor, wait (IDLE or poll),
and reconnect with exponential back-off after any failure, raising an alert each time."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import anyio.to_thread
from sqlmodel import Session

from inbox.intake.alerts import IntakeAlert, IntakeAlerts
from inbox.intake.client import FetchedRaw, ImapSession
from inbox.intake.errors import ImapError
from inbox.intake.raw import keep_raw, raw_file_id
from inbox.intake.record import (
    CursorState,
    RecordOutcome,
    TakenMessage,
    check_cursor,
    record_message,
)
from inbox.parse.triage import BounceStormGuard, triage
from mediastore.store.store import MediaStore
from realtime.auth.secretbox import SecretBox
from realtime.db import Database
from realtime.errors import MadoguchiError
from realtime.settings import ImapMailbox
from realtime.timeutil import utcnow

log = logging.getLogger("inbox.intake")

# Called at "fetched", "stored-raw" and "committed" with the UID (tests pause or count here).
StepHook = Callable[[str, int], Awaitable[None]]


@dataclass
class IntakeStats:
    """Counters of one mailbox since start."""

    taken: int = 0
    repeated: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    connects: int = 0
    failures: int = 0
    last_error: str = ""


@dataclass
class MailboxIntake:
    """Takes one mailbox into the inbox tables exactly once per (UIDVALIDITY, UID)."""

    mailbox: ImapMailbox
    db: Database
    media: MediaStore
    box: SecretBox
    alerts: IntakeAlerts
    reply_within: timedelta = timedelta(hours=24)
    own_addresses: frozenset[str] = frozenset()
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    step_hook: StepHook | None = None
    on_recorded: Callable[[RecordOutcome], None] | None = None
    after_record: Callable[[Session, RecordOutcome], None] | None = None
    storm_guard: BounceStormGuard = field(default_factory=BounceStormGuard)
    stats: IntakeStats = field(default_factory=IntakeStats)
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    async def _step(self, name: str, uid: int) -> None:
        if self.step_hook is not None:
            await self.step_hook(name, uid)

    async def run_forever(self) -> None:
        """Run until cancelled; every failure is alerted and retried after a growing delay."""
        attempt = 0
        while True:
            session = ImapSession(self.mailbox)
            try:
                await self._connect_and_sync(session)
                attempt = 0
                while True:
                    await session.wait_for_mail()
                    await self.sync(session)
            except Exception as exc:  # IMAP, database, media store: alert, back off, retry
                attempt += 1
                delay = self._delay(attempt)
                if not isinstance(exc, ImapError):
                    log.exception("mailbox %s: intake failed", self.mailbox.name)
                await self._alert(exc, attempt, delay)
                await session.close()
                self.connected.clear()
                await asyncio.sleep(delay)
            finally:
                await session.close()

    async def _connect_and_sync(self, session: ImapSession) -> None:
        await session.open()
        self.stats.connects += 1
        self.connected.set()
        await self.sync(session)

    def _delay(self, attempt: int) -> float:
        """Exponential back-off with jitter, capped at ``backoff_max``."""
        ceiling = min(self.backoff_max, self.backoff_base * float(2 ** min(attempt - 1, 30)))
        jitter: float = random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not crypto)
        return ceiling / 2 + jitter

    async def _alert(self, exc: Exception, attempt: int, delay: float) -> None:
        if isinstance(exc, ImapError):
            kind, error_id, reason = exc.alert_kind, exc.error_id, exc.reason
        else:
            kind = "intake-failed"
            error_id = exc.error_id if isinstance(exc, MadoguchiError) else "internal-error"
            reason = type(exc).__name__
        self.stats.failures += 1
        self.stats.last_error = error_id
        alert = IntakeAlert(
            mailbox=self.mailbox.name,
            kind=kind,
            error_id=error_id,
            reason=reason,
            attempt=attempt,
            retry_in_s=delay,
            at=utcnow(),
        )
        if self.alerts.raise_alert(alert):
            with contextlib.suppress(Exception):
                await self.db.run(self.alerts.write_audit, alert)

    async def drain(self) -> int:
        """Connect once, take everything waiting, log out; returns how many were new."""
        session = ImapSession(self.mailbox)
        before = self.stats.taken
        try:
            await self._connect_and_sync(session)
        finally:
            await session.close()
        return self.stats.taken - before

    async def sync(self, session: ImapSession) -> None:
        """Take every UID above the cursor, in order, committing each before the next."""
        assert session.selected is not None
        cursor: CursorState = await self.db.run(self._check_cursor, session.selected.uidvalidity)
        if cursor.uidvalidity_changed:
            log.warning(
                "mailbox %s: UIDVALIDITY changed from %s to %s; re-scanning with duplicate check",
                self.mailbox.name,
                cursor.previous_uidvalidity,
                cursor.uidvalidity,
            )
        for uid in await session.uids_after(cursor.last_uid):
            fetched = await session.fetch(uid)
            if fetched is None:
                continue  # expunged between SEARCH and FETCH: nothing to take
            await self._step("fetched", uid)
            await self._take(cursor.uidvalidity, fetched)
            if self.mailbox.move_to:
                await session.move(uid, self.mailbox.move_to)

    def _check_cursor(self, uidvalidity: int) -> CursorState:
        with self.db.session() as db_session:
            return check_cursor(db_session, mailbox=self.mailbox.name, uidvalidity=uidvalidity)

    async def _take(self, uidvalidity: int, fetched: FetchedRaw) -> RecordOutcome:
        raw = fetched.raw
        sha = hashlib.sha256(raw).hexdigest()
        file_id = raw_file_id(mailbox=self.mailbox.name, uidvalidity=uidvalidity, uid=fetched.uid)
        stored_id = await anyio.to_thread.run_sync(
            lambda: keep_raw(self.media, file_id=file_id, raw=raw, sha256=sha)
        )
        await self._step("stored-raw", fetched.uid)
        received_at = fetched.internal_date or utcnow()
        result = await anyio.to_thread.run_sync(
            lambda: triage(
                raw=raw,
                received_at=received_at,
                own_addresses=self.own_addresses,
                storm_guard=self.storm_guard,
            )
        )
        taken = TakenMessage(
            mailbox=self.mailbox.name,
            uidvalidity=uidvalidity,
            uid=fetched.uid,
            received_at=received_at,
            raw_file_id=stored_id,
            raw_sha256=sha,
            raw_size=len(raw),
        )

        def record() -> RecordOutcome:
            with self.db.session() as db_session:
                outcome = record_message(
                    db_session,
                    taken=taken,
                    result=result,
                    box=self.box,
                    reply_within=self.reply_within,
                )
                if self.after_record is not None:
                    try:  # after the commit: a failure here is caught up later, never lost
                        self.after_record(db_session, outcome)
                    except Exception:
                        db_session.rollback()
                        log.exception("mailbox %s: after-record hook failed", self.mailbox.name)
                return outcome

        outcome = await self.db.run(record)
        if outcome.already:
            self.stats.repeated += 1
        else:
            self.stats.taken += 1
            self.stats.by_state[outcome.state] = self.stats.by_state.get(outcome.state, 0) + 1
        if self.on_recorded is not None:
            self.on_recorded(outcome)
        await self._step("committed", fetched.uid)
        return outcome
