"""Where faults are noticed (N-REL-1): the watcher that raises and clears fault alerts.

A subsystem (``SUBSYSTEM_FACTORIES``, after the parts it watches) that listens to:

- the ESL connection (``switch_link``: lost or silent, cleared when re-made and reconciled;
  ``switch_restart``: FreeSWITCH's Core-UUID changed, i.e. it restarted and its channels are gone);
- the IMAP intake's alerts (``imap_link`` per mailbox, cleared once the mailbox is connected again
  and a sync went through without a new failure);
- the database (``database``: a probe every ``PROBE_S``; also raised by writers that had to retry);
- a full disk (``disk_write`` per folder: a write failed with ENOSPC or SQLITE_FULL);
- the previous run of this server (``server_restart``: the run marker of a process that did not
  stop cleanly is still there; calls it left open in the contact log are closed);
- Socket.IO connects (``reconnect_storm``: ``reconnect_storm_connects`` reconnects, i.e. connects
  of sessions already seen, within ``STORM_WINDOW_S``, as when every browser reconnects at once;
  cleared once none came for ``STORM_QUIET_S``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from realtime.hub.server import NAMESPACES
from realtime.monitoring import incidents
from realtime.timeutil import utcnow

if TYPE_CHECKING:
    from inbox.intake.alerts import IntakeAlert
    from inbox.intake.worker import MailboxIntake
    from realtime.auth.service import Principal
    from realtime.http.context import AppContext
    from switch.connection.events import SwitchEvent

log = logging.getLogger(__name__)

PROBE_S = 1.0
STORM_WINDOW_S = 10.0
STORM_QUIET_S = 2.0
SESSION_MEMORY_S = 600.0
MARKER_GLOB = "server-*.running"


@dataclass
class FaultWatch:
    """Turns what the parts report into fault alerts; one per app."""

    ctx: AppContext
    name: str = "fault-watch"
    started_at: datetime = field(default_factory=utcnow)
    core_uuid: str | None = None
    connects: collections.deque[float] = field(default_factory=collections.deque)
    sessions: dict[str, float] = field(default_factory=dict)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _probe: asyncio.Task[None] | None = None

    @property
    def faults(self) -> incidents.Incidents:
        return incidents.of(self.ctx)

    @property
    def marker(self) -> Path:
        return self.ctx.settings.data_dir / f"server-{os.getpid()}-{id(self)}.running"

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Hook into the parts, look at the previous run, start the database probe."""
        # Faults are alerts, never a reason to leave the load balancer: no readiness check.
        self.ctx.readiness.checks.pop(self.name, None)
        await self.faults.start()
        self._previous_run()
        self._watch_switch()
        self._watch_intake()
        for namespace in NAMESPACES:
            self.ctx.hub.add_snapshot_provider(namespace, self._counted)
        self._probe = asyncio.create_task(self._probe_forever(), name="fault-watch-probe")
        self._spawn(self._close_orphan_calls())

    async def stop(self) -> None:
        """Stop watching; a clean stop removes the run marker."""
        for task in [self._probe, *self._tasks]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self.faults.stop()
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()

    async def ready(self) -> None:
        """Always ready (and taken out of /readyz at start)."""

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the previous run --------------------------------------------------------------------

    def _previous_run(self) -> None:
        """Run markers of processes that are gone mean they did not stop cleanly."""
        folder = self.ctx.settings.data_dir
        folder.mkdir(parents=True, exist_ok=True)
        for marker, previous in run_markers(folder):
            pid = previous.get("pid")
            if isinstance(pid, int) and _alive(pid):
                continue  # another live server process shares this data folder
            self.faults.once(
                kind="server_restart",
                subject="server",
                severity="critical",
                message_ja="サーバーが正常に停止せずに再起動しました（強制終了・停電など）。",
                detail={"previous_pid": pid, "since": previous.get("started")},
            )
            with contextlib.suppress(FileNotFoundError):
                marker.unlink()
        tmp = self.marker.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"pid": os.getpid(), "started": self.started_at.isoformat()}),
            encoding="utf-8",
        )
        tmp.replace(self.marker)

    async def _close_orphan_calls(self) -> None:
        """Calls an earlier process left open in the log end as seen from here (retried)."""
        if "callpath" not in self.ctx.extras:
            return
        from switch.callpath.recovery import close_orphans

        before = self.started_at

        def run() -> int:
            with self.ctx.db.session() as session:
                return close_orphans(session, before=before)

        for attempt in range(60):
            try:
                closed = await self.ctx.db.run(run)
            except Exception:  # the database is away: try again
                await asyncio.sleep(min(5.0, 0.2 * (attempt + 1)))
                continue
            if closed:
                log.warning("closed %d call(s) left open by an earlier server process", closed)
            return

    # --- the switch --------------------------------------------------------------------------

    def _watch_switch(self) -> None:
        switch = self.ctx.extras.get("switch")
        if switch is None:
            return
        client = switch.client
        client.link_listeners.append(self._on_link)
        for name in ("HEARTBEAT", "CHANNEL_CREATE", "BACKGROUND_JOB"):
            client.add_handler(name, self._on_switch_event)

    def _on_link(self, up: bool, reason: str) -> None:
        if up:
            if self.faults.is_open("switch_link", "esl"):
                self.faults.clear(kind="switch_link", subject="esl")
            return
        silent = reason == "silent"
        self.faults.raise_(
            kind="switch_link",
            subject="esl",
            message_ja=(
                "交換機（FreeSWITCH）から応答がないため接続を切り替えています。"
                if silent
                else "交換機（FreeSWITCH）との接続が切れました。再接続しています。"
            ),
            detail={"reason": reason},
        )

    def _on_switch_event(self, event: SwitchEvent) -> None:
        if event.synthetic:
            return
        core = event.get("Core-UUID")
        if not core:
            return
        if self.core_uuid is not None and core != self.core_uuid:
            self.faults.once(
                kind="switch_restart",
                subject="freeswitch",
                severity="critical",
                message_ja="交換機（FreeSWITCH）が再起動しました。通話中だった呼は切断されています。",
                detail={"previous": self.core_uuid, "current": core},
            )
        self.core_uuid = core

    # --- the IMAP intake ---------------------------------------------------------------------

    def _watch_intake(self) -> None:
        for part in self.ctx.extras.get("subsystems", []):
            workers: list[MailboxIntake] = list(getattr(part, "workers", []) or [])
            for worker in workers:
                worker.alerts.hooks.append(self._intake_hook(worker))

    def _intake_hook(self, worker: MailboxIntake) -> Any:
        def hook(alert: IntakeAlert) -> None:
            if alert.kind == "intake-failed" and disk_full(alert.error_id):
                disk_write_failed(self.ctx, folder="media", error=alert.error_id)
                self._spawn(self._clear_disk_when_synced(worker, worker.stats.taken))
            self.faults.raise_(
                kind="imap_link",
                subject=alert.mailbox,
                message_ja=f"メールボックス「{alert.mailbox}」の受信で障害が発生しました。再試行しています。",
                detail={"kind": alert.kind, "error": alert.error_id, "reason": alert.reason},
            )
            self._spawn(self._clear_when_synced(worker, worker.stats.connects))

        return hook

    async def _clear_when_synced(self, worker: MailboxIntake, connects: int) -> None:
        name = worker.mailbox.name
        while self.faults.is_open("imap_link", name):
            failures = worker.stats.failures
            if worker.connected.is_set() and worker.stats.connects > connects:
                await asyncio.sleep(0.5)
                if worker.stats.failures == failures and worker.connected.is_set():
                    self.faults.clear(kind="imap_link", subject=name)
                    return
                connects = worker.stats.connects
            await asyncio.sleep(0.1)

    async def _clear_disk_when_synced(self, worker: MailboxIntake, taken: int) -> None:
        while self.faults.is_open("disk_write", "media"):
            if worker.stats.taken > taken:
                self.faults.clear(kind="disk_write", subject="media")
                return
            await asyncio.sleep(0.1)

    # --- the database and socket connects -----------------------------------------------------

    async def _probe_forever(self) -> None:
        while True:
            await asyncio.sleep(PROBE_S)
            await self.probe_database()
            self._storm_over()

    async def probe_database(self) -> None:
        """One database probe: raise on failure, clear on success."""

        def ping() -> None:
            with self.ctx.db.session() as session:
                session.exec(text("SELECT 1"))  # type: ignore[call-overload]

        try:
            await asyncio.wait_for(self.ctx.db.run(ping), 10)
        except Exception as exc:  # any failure of the database is the fault
            database_down(self.ctx, error=type(exc).__name__)
            return
        if self.faults.is_open("database", "main"):
            self.faults.clear(kind="database", subject="main")

    async def _counted(self, principal: Principal) -> dict[str, Any]:
        """Every snapshot is a (re)connect; sessions seen before are reconnects."""
        now = time.monotonic()
        session = principal.session_id
        seen = self.sessions.get(session)
        self.sessions[session] = now
        if seen is not None and now - seen < SESSION_MEMORY_S:
            self.connects.append(now)
        self._forget(now)
        limit = self.ctx.settings.reconnect_storm_connects
        if len(self.connects) >= limit:
            self.faults.raise_(
                kind="reconnect_storm",
                subject="sockets",
                severity="warning",
                message_ja="多数の画面が一斉に再接続しました（ネットワークやプロキシの瞬断など）。",
                detail={"reconnects": len(self.connects), "window_s": STORM_WINDOW_S},
            )
        return {}

    def _forget(self, now: float) -> None:
        while self.connects and self.connects[0] < now - STORM_WINDOW_S:
            self.connects.popleft()
        if len(self.sessions) > 10_000:
            for key in [k for k, t in self.sessions.items() if now - t > SESSION_MEMORY_S]:
                del self.sessions[key]

    def _storm_over(self) -> None:
        """The storm is over once no session has reconnected for ``STORM_QUIET_S``."""
        now = time.monotonic()
        self._forget(now)
        if not self.faults.is_open("reconnect_storm", "sockets"):
            return
        if not self.connects or self.connects[-1] < now - STORM_QUIET_S:
            self.faults.clear(kind="reconnect_storm", subject="sockets")


def run_markers(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The run markers in the data folder ``folder`` with what they say (``{}`` if unreadable)."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for marker in sorted(folder.glob(MARKER_GLOB)):
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        found.append((marker, data if isinstance(data, dict) else {}))
    return found


def running_servers(folder: Path) -> list[int]:
    """Process ids of live servers whose run marker is in the data folder ``folder``."""
    pids = (data.get("pid") for _marker, data in run_markers(folder))
    return [pid for pid in pids if isinstance(pid, int) and _alive(pid)]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def disk_full(error: str) -> bool:
    """Whether a storage error says the disk is full (ENOSPC, SQLite's SQLITE_FULL, the media
    store's ``media-storage-full``)."""
    text = error.lower()
    return any(s in text for s in ("disk is full", "no space left", "storage-full"))


def disk_write_failed(ctx: AppContext, *, folder: str, error: str) -> None:
    """Raise the disk fault of ``folder`` (data, media): a write failed for lack of space."""
    incidents.of(ctx).raise_(
        kind="disk_write",
        subject=folder,
        message_ja=f"「{folder}」フォルダのディスクが一杯で書き込めません。空きを作ってください。",
        detail={"error": error[:200]},
    )


def database_down(ctx: AppContext, *, error: str) -> None:
    """Raise the database fault (writers that had to retry call this too)."""
    incidents.of(ctx).raise_(
        kind="database",
        subject="main",
        message_ja="データベースに接続できません。書き込みは再試行しています。",
        detail={"error": error},
    )


def build(ctx: AppContext) -> FaultWatch:
    """The app's subsystem factory (always on)."""
    return FaultWatch(ctx)
