"""The transcription worker: a background part that drains the queue one job at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import anyio.to_thread

from mediastore.store.config import store_from_settings
from mediastore.store.store import MediaStore
from mediastore.transcripts.engine import Transcriber, load_transcriber
from mediastore.transcripts.queue import requeue_interrupted
from mediastore.transcripts.worker import run_one
from realtime.db import Database

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger(__name__)


class TranscriptionWorker:
    """Runs queued transcriptions in a worker thread; idle polls every ``poll_s`` seconds."""

    name = "transcription"

    def __init__(
        self,
        *,
        database: Database,
        store: MediaStore,
        transcriber: Transcriber,
        language: str,
        poll_s: float,
    ) -> None:
        self.database = database
        self.store = store
        self.transcriber = transcriber
        self.language = language
        self.poll_s = poll_s
        self.processed = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await anyio.to_thread.run_sync(self._requeue)
        self._task = asyncio.create_task(self._loop())

    def _requeue(self) -> None:
        with self.database.session() as session:
            requeue_interrupted(session)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def ready(self) -> None:
        """Transcription is an extra: it never takes the server out of service."""

    def drain(self) -> int:
        """Process every queued job now (in the calling thread); how many were processed."""
        count = 0
        while (
            run_one(
                database=self.database,
                store=self.store,
                transcriber=self.transcriber,
                language=self.language,
            )
            is not None
        ):
            count += 1
        self.processed += count
        return count

    async def _loop(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(self.drain)
            except Exception:
                log.exception("transcription worker failed")
            await asyncio.sleep(self.poll_s)


def build(ctx: AppContext) -> TranscriptionWorker | None:
    """The worker, or None when no model file is configured (transcription off)."""
    settings = ctx.settings
    transcriber = load_transcriber(model_path=settings.transcribe_model_path)
    if transcriber is None:
        return None
    return TranscriptionWorker(
        database=ctx.db,
        store=store_from_settings(settings),
        transcriber=transcriber,
        language=settings.transcribe_language,
        poll_s=settings.transcribe_poll_seconds,
    )
