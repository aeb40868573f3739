"""Call recordings: stored into mediastore when FreeSWITCH stops them (N-REL-1, N-REL-2).

A recording the media store refuses (a full disk) stays where FreeSWITCH wrote it, in the spool,
raises the ``disk_write`` (media) alert and is tried again with back-off. A recording whose call
outlived the process that started it (killed mid-call) is adopted from the contact log, at its
RECORD_STOP or, when that came while no process listened, from the spool (swept every minute).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cms.events import EventType
from mediastore.crypto.errors import MediaWriteFailed
from realtime.monitoring import incidents
from realtime.monitoring.fault_watch import disk_write_failed
from switch.callpath import recording, recovery
from switch.connection.events import SwitchEvent

if TYPE_CHECKING:
    from switch.callpath.core import CallPath

log = logging.getLogger(__name__)

RETRY_FIRST_S = 1.0
RETRY_MAX_S = 30.0
"""Back-off of storing a recording the media store refused (a full disk)."""
SPOOL_IDLE_S = 120.0
"""A spooled recording unchanged this long belongs to no live call (FreeSWITCH writes on)."""
SWEEP_EVERY_S = 60.0


class Recorder:
    """Stores the call path's recordings; ``path.recordings`` maps spool file -> its call."""

    def __init__(self, path: CallPath) -> None:
        self.path = path
        self.ctx = path.ctx
        self.unstored: dict[str, float | None] = {}
        """Recordings the media store refused (a full disk): plain file kept, tried again."""
        self.retry_task: asyncio.Task[None] | None = None
        self.storing: set[str] = set()
        """Spool files being stored right now (not to be adopted a second time)."""

    async def on_record_stop(self, event: SwitchEvent) -> None:
        path = event.get("Record-File-Path") or ""
        ms = event.get("variable_record_ms")
        duration_s = float(ms) / 1000 if ms and ms.isdigit() else None
        if path in self.path.recordings:
            await self.store(path, duration_s)
        elif path:
            await self.adopt_recording(Path(path), duration_s)

    async def adopt_recording(self, source: Path, duration_s: float | None) -> bool:
        """Store a spooled recording whose call an earlier process handled (it died mid-call:
        the call went on in FreeSWITCH); the contact's line, queue and agent come from the log."""
        if source.suffix != ".wav" or source.parent.resolve() != self.path.spool_dir.resolve():
            return False
        path = str(source)
        if path in self.path.recordings or path in self.unstored or path in self.storing:
            return False
        contact_id = source.stem

        def read() -> recovery.OrphanCall | None:
            with self.ctx.db.session() as session:
                return recovery.orphan_call(session, contact_id=contact_id)

        self.storing.add(path)  # claimed: a RECORD_STOP and the sweep may race for one file
        try:
            facts = await self.ctx.db.run(read)
        finally:
            self.storing.discard(path)
        if facts is None:
            log.warning("spooled recording %s belongs to no call in the log", source.name)
            return False
        from switch.callpath.core import LiveCall  # the call path imports this module

        call = LiveCall(
            contact_id=contact_id,
            caller_uuid="",
            did=facts.line or "",
            line_name="",
            received_at=self.path.clock(),
            queue_id=facts.queue,
            agent=facts.agent,
            ended=True,
        )
        self.path.recordings[path] = call
        await self.store(path, duration_s)
        return True

    async def sweep_forever(self, *, every_s: float = SWEEP_EVERY_S) -> None:
        """Adopt left-behind recordings now and then (a restart may come within the idle time)."""
        while True:
            try:
                await self.adopt_spooled()
            except Exception:  # the database is away: the next round tries again
                log.exception("sweeping the recordings spool failed")
            await asyncio.sleep(every_s)

    async def adopt_spooled(self, *, idle_s: float = SPOOL_IDLE_S) -> int:
        """Store the recordings an earlier process left in the spool (their RECORD_STOP came while
        no process listened); a file written to in the last ``idle_s`` is a call still going on."""
        if not self.path.spool_dir.is_dir():
            return 0
        now = time.time()
        adopted = 0
        for source in sorted(self.path.spool_dir.glob("*.wav")):
            try:
                idle = now - source.stat().st_mtime
            except FileNotFoundError:
                continue
            if idle >= idle_s and await self.adopt_recording(source, None):
                adopted += 1
        return adopted

    async def store(self, path: str, duration_s: float | None) -> None:
        """Encrypt the finished recording into mediastore and log ``recording.stored``."""
        call = self.path.recordings.pop(path, None)
        if call is None:
            return
        self.storing.add(path)
        source = Path(path)
        recording_id = f"rec-{call.contact_id}"
        settings = self.ctx.settings

        def store() -> float:
            from mediastore.store.config import store_from_settings

            return recording.store_wav(
                store_from_settings(settings), source=source, file_id=recording_id
            )

        try:
            seconds = await self.ctx.db.run(store)
        except FileNotFoundError:
            log.warning("recording of contact %s is missing at %s", call.contact_id, path)
            self.unstored.pop(path, None)
            return
        except (MediaWriteFailed, OSError) as exc:
            # The plain file stays in the spool; the retry loop stores it when there is room.
            log.warning("recording of contact %s not stored yet: %s", call.contact_id, exc)
            self.path.recordings[path] = call
            self.unstored[path] = duration_s
            error = exc.error_id if isinstance(exc, MediaWriteFailed) else str(exc)
            disk_write_failed(self.ctx, folder="media", error=error)
            if self.retry_task is None or self.retry_task.done():
                self.retry_task = asyncio.create_task(self._retry_unstored())
            return
        finally:
            self.storing.discard(path)
            if call.ended and not any(o is call for o in self.path.recordings.values()):
                self.path.calls.pop(call.contact_id, None)
        self.unstored.pop(path, None)
        event = self.path.contact_event(
            call,
            EventType.RECORDING_STORED,
            {"recording_id": recording_id, "duration_s": round(duration_s or seconds, 3)},
            agent=call.agent,
        )
        await self.path.log_events([event])
        await self.ctx.hub.emit(
            "contact_event",
            {"type": "recording.stored", "contact_id": call.contact_id, "payload": event.payload},
            namespace="/supervisor",
            room="all",
        )

    async def _retry_unstored(self) -> None:
        """Try the refused recordings again with back-off; clear the media alert when all are in."""
        delay = RETRY_FIRST_S
        while self.unstored:
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)
            for path, duration_s in list(self.unstored.items()):
                if path not in self.path.recordings:
                    self.unstored.pop(path, None)
                    continue
                await self.store(path, duration_s)
                if path in self.unstored:
                    break  # still no room: wait before trying the others
        incidents.of(self.ctx).clear(kind="disk_write", subject="media")
