"""The monitor as a background part of the server: rules, live KPIs and alert mail.

Three loops: the rules every ``interval_seconds``; live KPIs every ``kpi_push_seconds`` (pushed to
/supervisor as ``kpi`` only when a figure changed); the mail outbox, woken when an alert is raised
and for each retry. Alerts are pushed as ``alert`` to /supervisor and /admin and are part of both
snapshots.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cms.kpi.settings import KpiSettings
from cms.live.figures import LiveFigures
from cms.live.tracker import LiveTracker
from cms.reports.mailconfig import ReportMailSettings
from mediastore.store.config import media_root
from realtime.auth.service import Principal
from realtime.errors import MadoguchiError
from realtime.monitoring import floor, incidents, mailer, rules, store
from realtime.monitoring.config import MonitorSettings
from realtime.monitoring.models import Alert
from realtime.timeutil import utcnow

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger("realtime.monitoring")

AUDIENCES = ("/supervisor", "/admin")
SETTINGS_KEY = "monitoring.settings"
MONITOR_KEY = "monitor"


class MonitorStopped(MadoguchiError):
    error_id = "monitor-stopped"
    status_code = 503
    message_ja = "監視機能が停止しています。"

    def __init__(self, *, loops: list[str]) -> None:
        super().__init__(loops=loops)
        self.loops = loops


def kpi_settings(settings: MonitorSettings) -> KpiSettings:
    """cms.kpi settings with the wallboard's service-level target (別紙3 sets none for S-P1)."""
    return dataclasses.replace(KpiSettings(), answer_target_percent=settings.service_level_target)


class Monitor:
    """Evaluates the rules, keeps live KPIs, mails alerts; one per app."""

    name = "monitor"

    def __init__(
        self,
        ctx: AppContext,
        *,
        settings: MonitorSettings,
        mail: ReportMailSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.clock = clock
        self.target = mailer.MailTarget(
            smtp=mail,
            recipients=settings.recipients(),
            wallboard_url=ctx.settings.public_url.rstrip("/") + "/wallboard",
        )
        self.watch = rules.SubsystemWatch(after_runs=settings.down_after_runs)
        self.tracker = LiveTracker(
            settings=kpi_settings(settings),
            near=timedelta(hours=settings.items_near_hours),
            item_window=timedelta(days=settings.item_window_days),
        )
        self.figures: LiveFigures | None = None
        self._last_pushed: dict[str, Any] | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._mail_wake = asyncio.Event()
        self._next_try: dict[int, float] = {}
        self._kpi_lock = asyncio.Lock()
        self.folders: dict[str, Path] = {
            "data": ctx.settings.data_dir,
            "media": media_root(ctx.settings),
        }

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the three loops and return (no database work here: it may be away)."""
        loops: dict[str, Callable[[], Awaitable[Any]]] = {
            "rules": self.run_rules_once,
            "kpi": self.refresh_kpis_once,
        }
        periods = {"rules": self.settings.interval_seconds, "kpi": self.settings.kpi_push_seconds}
        for name, step in loops.items():
            self._tasks[name] = asyncio.create_task(
                self._every(periods[name], step, name), name=f"monitor-{name}"
            )
        self._tasks["mail"] = asyncio.create_task(self._mail_loop(), name="monitor-mail")

    async def stop(self) -> None:
        """Cancel the loops."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def ready(self) -> None:
        """Raise when a loop has ended (a bug: each loop survives its step's failures)."""
        dead = [name for name, task in self._tasks.items() if task.done()]
        if dead:
            raise MonitorStopped(loops=dead)

    async def _every(self, period: float, step: Callable[[], Awaitable[Any]], name: str) -> None:
        while True:
            await asyncio.sleep(period)
            try:
                await step()
            except Exception:  # a database hiccup must not end monitoring; next run retries
                log.exception("monitor %s step failed", name)

    # --- rules -----------------------------------------------------------------------------

    async def run_rules_once(self) -> store.Changes:
        """Evaluate every rule once; raise, clear, push and queue mail for what changed."""
        now = self.clock()
        kinds: set[str] = set()
        firing: list[store.Condition] = []

        async def look(kind: str, fn: Callable[[], Awaitable[list[store.Condition]]]) -> None:
            try:
                found = await fn()
            except Exception:  # the rule could not look: keep its alerts as they are
                log.exception("monitor rule %s failed", kind)
                return
            kinds.add(kind)
            firing.extend(found)

        open_keys = await self._open_keys()
        s = self.settings

        async def subsystems() -> list[store.Condition]:
            return self.watch.observe(await self.ctx.readiness.run())

        async def service_level() -> list[store.Condition]:
            figures = await self._figures()
            return rules.service_level_falling(
                figures,
                target=s.service_level_target,
                min_calls=s.service_level_min_calls,
                already_open="service_level:phone" in open_keys,
            )

        async def disk() -> list[store.Condition]:
            return await asyncio.to_thread(
                rules.disk_filling,
                self.folders,
                min_free_percent=s.disk_min_free_percent,
                min_free_bytes=s.disk_min_free_bytes,
            )

        async def signin() -> list[store.Condition]:
            def run() -> list[store.Condition]:
                with self.ctx.db.session() as session:
                    return rules.signin_failures(
                        session,
                        now=now,
                        window=timedelta(minutes=s.signin_window_minutes),
                        max_per_user=s.signin_max_per_user,
                        max_overall=s.signin_max_overall,
                    )

            return await self.ctx.db.run(run)

        async def audit_chain() -> list[store.Condition]:
            def run() -> rules.ChainCheck:
                with self.ctx.db.session() as session:
                    return rules.verify_new_entries(session, now=now)

            return rules.audit_chain_broken(await self.ctx.db.run(run))

        async def items() -> list[store.Condition]:
            return rules.items_due(await self._figures(), near_hours=s.items_near_hours)

        await look("subsystem_down", subsystems)
        await look("service_level", service_level)
        await look("disk_space", disk)
        await look("signin_failures", signin)
        await look("audit_chain", audit_chain)
        await look("items_due", items)
        source = floor.source_of(self.ctx)
        if source is not None:

            async def waits() -> list[store.Condition]:
                return rules.queue_wait_over(await source(), threshold_s=s.queue_wait_seconds)

            await look("queue_wait", waits)
        return await self.apply(kinds=kinds, firing=firing, now=now)

    async def apply(
        self, *, kinds: set[str], firing: list[store.Condition], now: datetime
    ) -> store.Changes:
        """Store what changed, push it to both audiences and wake the mailer."""

        def run() -> store.Changes:
            with self.ctx.db.session() as session:
                return store.reconcile(
                    session, kinds=kinds, firing=firing, now=now, mail=self.target.configured
                )

        changes = await self.ctx.db.run(run)
        for alert in [*changes.raised, *changes.cleared]:
            await self.push(alert)
        if changes.raised:
            self._mail_wake.set()
        return changes

    def wake_mailer(self) -> None:
        """Mail newly stored alerts now (fault alerts stored outside the rules)."""
        self._mail_wake.set()

    async def push(self, alert: Alert) -> None:
        """Send one alert's current state to the wallboards and the admin screens."""
        data = store.public(alert)
        for namespace in AUDIENCES:
            await self.ctx.hub.emit("alert", data, namespace=namespace, room="all")

    async def _open_keys(self) -> set[str]:
        def run() -> set[str]:
            with self.ctx.db.session() as session:
                return {a.open_key for a in store.open_alerts(session) if a.open_key}

        return await self.ctx.db.run(run)

    # --- live KPIs -------------------------------------------------------------------------

    async def _figures(self) -> LiveFigures:
        if self.figures is None or self.clock() - self.figures.as_of > timedelta(
            seconds=self.settings.kpi_push_seconds * 2
        ):
            await self.refresh_kpis_once()
        assert self.figures is not None
        return self.figures

    async def refresh_kpis_once(self) -> bool:
        """Fold new events; push ``kpi`` to /supervisor when a figure changed. True if pushed."""
        async with self._kpi_lock:
            now = self.clock()

            def run() -> LiveFigures:
                with self.ctx.db.session() as session:
                    return self.tracker.refresh(session, now=now)

            figures = await self.ctx.db.run(run)
            self.figures = figures
            fingerprint = figures.fingerprint()
            if fingerprint == self._last_pushed:
                return False
            self._last_pushed = fingerprint
        await self.ctx.hub.emit("kpi", figures.to_dict(), namespace="/supervisor", room="all")
        return True

    # --- mail ------------------------------------------------------------------------------

    def _recover_sending(self) -> None:
        """Mail left ``sending`` by a stopped process is tried again."""
        from sqlalchemy import update
        from sqlmodel import col

        with self.ctx.db.session() as session:
            session.execute(
                update(Alert).where(col(Alert.mail_state) == "sending").values(mail_state="retry")
            )

    async def _mail_loop(self) -> None:
        recovered = False
        while True:
            if not recovered:
                try:
                    await self.ctx.db.run(self._recover_sending)
                    recovered = True
                except Exception:  # the database is away; try again on the next round
                    log.exception("monitor mail recovery failed")
            delay = min(
                (t - time.monotonic() for t in self._next_try.values()),
                default=self.settings.interval_seconds,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._mail_wake.wait(), timeout=max(0.05, delay))
            self._mail_wake.clear()
            try:
                await self.mail_once()
            except Exception:  # the database may be away; the outbox is retried next time
                log.exception("monitor mail step failed")

    async def mail_once(self) -> int:
        """Send every alert mail that is due; returns how many were accepted."""
        if not self.target.configured:
            return 0
        due = await self.ctx.db.run(self._due)
        sent = 0
        delays = self.settings.mail_retry_seconds
        for alert_id in due:
            if not await self.ctx.db.run(self._claim, alert_id):
                continue
            alert = await self.ctx.db.run(self._load, alert_id)
            result = await mailer.send_one(alert, self.target)
            retries_left = alert.mail_attempts <= len(delays)

            stored = await self.ctx.db.run(self._store_result, alert_id, result, retries_left)
            incidents.note_mail_result(self.ctx, state=stored.mail_state, error=stored.mail_error)
            if stored.mail_state == "retry":
                self._next_try[alert_id] = time.monotonic() + delays[alert.mail_attempts - 1]
            else:
                self._next_try.pop(alert_id, None)
            sent += stored.mail_state == "sent"
        return sent

    def _due(self) -> list[int]:
        now = time.monotonic()
        with self.ctx.db.session() as session:
            return [
                a.id
                for a in mailer.waiting(session)
                if a.id is not None and self._next_try.get(a.id, 0.0) <= now
            ]

    def _store_result(self, alert_id: int, result: mailer.SendResult, retries_left: bool) -> Alert:
        with self.ctx.db.session() as session:
            return mailer.record_attempt(
                session,
                alert_id=alert_id,
                result=result,
                now=self.clock(),
                retries_left=retries_left,
            )

    def _claim(self, alert_id: int) -> bool:
        with self.ctx.db.session() as session:
            return mailer.claim(session, alert_id=alert_id)

    def _load(self, alert_id: int) -> Alert:
        with self.ctx.db.session() as session:
            alert = session.get(Alert, alert_id)
            assert alert is not None
            return alert

    # --- snapshots -------------------------------------------------------------------------

    async def alerts_snapshot(self, _principal: Principal) -> dict[str, Any]:
        """``alerts``: open alerts and those cleared in the last 12 hours."""
        now = self.clock()

        def run() -> list[dict[str, Any]]:
            with self.ctx.db.session() as session:
                return [store.public(a) for a in store.recent(session, now=now)]

        return {"alerts": await self.ctx.db.run(run)}

    async def wallboard_snapshot(self, _principal: Principal) -> dict[str, Any]:
        """``kpi`` (live figures; null if they cannot be read now) and ``floor``."""
        source = floor.source_of(self.ctx)
        try:
            kpi: dict[str, Any] | None = (await self._figures()).to_dict()
        except Exception:  # the board still opens; the next push fills the tiles
            log.exception("live KPIs for a snapshot failed")
            kpi = None
        return {"kpi": kpi, "floor": await source() if source is not None else None}


def build(ctx: AppContext) -> Monitor | None:
    """The monitor of this app (None when MADOGUCHI_MONITOR_ENABLED is false)."""
    settings: MonitorSettings = ctx.extras.get(SETTINGS_KEY) or MonitorSettings()
    ctx.extras[SETTINGS_KEY] = settings
    if not settings.enabled:
        return None
    monitor = Monitor(ctx, settings=settings, mail=ReportMailSettings())
    ctx.extras[MONITOR_KEY] = monitor
    for namespace in AUDIENCES:
        ctx.hub.add_snapshot_provider(namespace, monitor.alerts_snapshot)
    ctx.hub.add_snapshot_provider("/supervisor", monitor.wallboard_snapshot)
    return monitor
