"""One dedicated OS thread running its own gevent hub, for greenswitch.

The asyncio process is never monkey-patched: gevent's hub is per thread, and only this thread
uses gevent sockets. Work enters the thread through ``hub.loop.run_callback_threadsafe`` and
results leave it through ``concurrent.futures.Future`` (which asyncio wraps with
``call_soon_threadsafe``).
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import gevent
import gevent.event
import gevent.hub

T = TypeVar("T")


class GeventThread:
    """A thread with its own gevent hub; ``submit`` runs a function there in a new greenlet."""

    def __init__(self, name: str = "esl-gevent") -> None:
        self._ready = threading.Event()
        self._hub: Any = None
        self._stop: Any = None
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _main(self) -> None:
        self._hub = gevent.hub.get_hub()
        self._stop = gevent.event.Event()
        # A referenced watcher keeps the hub alive while no greenlet has work to do
        # (otherwise waiting raises LoopExit: "This operation would block forever").
        keepalive = self._hub.loop.async_(ref=True)
        keepalive.start(lambda: None)
        self._ready.set()
        try:
            self._stop.wait()
        finally:
            keepalive.stop()
            keepalive.close()

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread.is_alive()

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run ``fn(*args)`` in a greenlet on the gevent thread; its result as a Future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        def spawn() -> None:
            gevent.spawn(run)

        if not self.alive:
            raise RuntimeError("the gevent thread has stopped")
        self._hub.loop.run_callback_threadsafe(spawn)
        return future

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (its greenlets are abandoned)."""
        if self.alive:
            self._hub.loop.run_callback_threadsafe(self._stop.set)
            self._thread.join(timeout)
