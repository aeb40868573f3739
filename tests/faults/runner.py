"""Run an async fault scenario on a thread of its own with a generous deadline (the fault suite
restarts servers; the machine may be loaded), as ``tests.callpath.harness.scenario`` does."""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from realtime.auth import service as auth
from tests.realtime.live import SESSION_COOKIE

DEADLINE_S = 150.0


def scenario(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """A hang fails the test after ``DEADLINE_S``."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        failures: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(asyncio.wait_for(test(*args, **kwargs), DEADLINE_S))
            except BaseException as exc:  # handed to the test's thread below
                failures.append(exc)

        thread = threading.Thread(target=target, name="fault-scenario")
        thread.start()
        thread.join()
        if failures:
            raise failures[0]

    run.__signature__ = inspect.signature(test)  # type: ignore[attr-defined]
    return run


def session_cookies(ctx: Any, username: str, count: int) -> list[str]:
    """``count`` signed-in sessions of ``username`` (as many browser tabs signed in apart)."""
    with ctx.db.session() as session:
        user = auth.get_user(session, username=username)
        tokens = [
            auth.create_session(
                session, user=user, policy=ctx.session_policy, ip="127.0.0.1", user_agent="tab"
            )
            for _ in range(count)
        ]
    return [f"{SESSION_COOKIE}={token}" for token in tokens]
