"""The whole server with the FreeSWITCH stand-in (tests/callpath/harness.py) on an event loop of
its own thread, so that Playwright's sync API can drive real browsers from the test's thread.

Scripted callers and contact-log reads are coroutines on the server's loop: ``LiveServer.run``
hands one over and waits for its result. Browser sign-in reuses tests/webagent/browsing.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cms.models import ContactEvent
from tests.callpath.harness import ADMIN_TOTP, MAIN, SV_TOTP, WAIT, Rig, running
from tests.support.app import PASSWORD
from tests.webagent.browsing import DemoServer, TotpState, submit_signin

T = TypeVar("T")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
START_TIMEOUT_S = 60.0


@dataclass
class LiveServer:
    """A running rig on its own loop, and the DemoServer-shaped handle the browser helpers use."""

    rig: Rig
    loop: asyncio.AbstractEventLoop
    handle: DemoServer

    @property
    def url(self) -> str:
        return self.rig.url

    def run(self, make: Callable[[], Awaitable[T]], timeout: float = WAIT * 2) -> T:
        """Run ``make()`` on the server's loop and return its result."""

        async def call() -> T:
            return await make()

        future = asyncio.run_coroutine_threadsafe(call(), self.loop)
        return future.result(timeout)

    def call(self, digits: str = "2", did: str = MAIN) -> Any:
        """A scripted caller dials the main line and presses ``digits`` (the stand-in's Call)."""
        return self.run(lambda: self.rig.call(did=did, digits=digits))

    def hang_up(self, call: Any) -> None:
        """The caller hangs up."""
        self.run(lambda: _await(call.hangup()))

    def contact_of(self, call: Any) -> str:
        """The contact id the call path gave the call."""
        found: str = self.run(lambda: self.rig.contact_of(call))
        return found

    def event(self, type_: str, contact_id: str | None = None, **payload: Any) -> ContactEvent:
        """The first logged contact event of that type (waits for it)."""
        found: ContactEvent = self.run(lambda: self.rig.event(type_, contact_id, **payload))
        return found

    def agent_states(self, agent: str) -> list[tuple[str, datetime]]:
        """``agent.state_changed`` of one agent: (state, when logged), oldest first."""
        import json

        rows = self.run(lambda: _async(self.rig.events))
        found: list[tuple[str, datetime]] = []
        for row in rows:
            if row.type == "agent.state_changed" and row.agent == agent:
                when = row.occurred_at
                found.append(
                    (json.loads(row.payload)["state"], when.replace(tzinfo=when.tzinfo or UTC))
                )
        return found


async def _cancel_the_rest() -> None:
    """Cancel what is still running on the loop (sockets of browsers), as asyncio.run does."""
    me = asyncio.current_task()
    rest = [t for t in asyncio.all_tasks() if t is not me]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


async def _async(fn: Callable[[], T]) -> T:
    return fn()


@contextlib.contextmanager
def live_server(tmp_path: Path, template: Path, **settings: Any) -> Iterator[LiveServer]:
    """Start the rig (stand-in inside) on a thread of its own; stop it afterwards."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="e2e-server", daemon=True)
    thread.start()
    manager: contextlib.AbstractAsyncContextManager[Rig] = running(tmp_path, template, **settings)

    def submit(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(START_TIMEOUT_S)

    try:
        rig = submit(manager.__aenter__())
        try:
            totp = {"sv": TotpState(SV_TOTP, -1), "admin": TotpState(ADMIN_TOTP, -1)}
            handle = DemoServer(url=rig.url, data_dir=tmp_path, log_path=tmp_path / "none.log")
            handle.totp.update(totp)
            yield LiveServer(rig=rig, loop=loop, handle=handle)
        finally:
            submit(manager.__aexit__(None, None, None))
    finally:
        submit(_cancel_the_rest())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT_S)
        loop.close()


def sign_in(page: Page, server: LiveServer, username: str) -> None:
    """Sign a test user in through the pages (TOTP for supervisors and administrators)."""
    submit_signin(page, server.handle, username, PASSWORD)
    page.wait_for_url(lambda u: not u.endswith("/signin") and "/signin?" not in u)
    if page.url.removeprefix(server.url) == "/signin/totp":
        page.get_by_label("確認コード（6桁）").fill(server.handle.totp[username].next_code())
        page.get_by_role("button", name="確認").click()
    page.wait_for_url(f"{server.url}/")


def open_desk(page: Page, server: LiveServer) -> None:
    """The desk, with its /agent socket connected."""
    page.goto(f"{server.url}/desk")
    expect(page.get_by_role("heading", level=1)).to_have_text("オペレーター画面")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")


def open_wallboard(page: Page, server: LiveServer) -> None:
    """The wallboard, with its /supervisor socket connected."""
    page.goto(f"{server.url}/wallboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("ウォールボード")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")


def state_pill(page: Page, state: str) -> None:
    """Wait until the desk's state pill shows ``state``."""
    expect(page.locator("#agent-state")).to_have_attribute("data-state", state, timeout=WAIT * 1000)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass(frozen=True)
class PopLatency:
    """Screen-pop latencies in milliseconds, to the pop rendered in the page: ``samples`` from
    the pop's ``offered_at_ms``, ``from_log`` from the ``agent.offered`` event's time (taken
    before the contact log is written, so it includes that write too)."""

    samples: list[float]
    from_log: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    @property
    def max(self) -> float:
        return max(self.samples)


def measure_pops(page: Page, server: LiveServer, *, count: int) -> PopLatency:
    """``count`` calls offered to the ready agent of ``page``; each caller hangs up after the pop.

    The page must show the desk of a ready agent. Latency = the browser's clock when desk.js
    rendered the pop minus ``offered_at_ms`` in the pop (both epoch ms on this host's clock).
    """
    samples: list[float] = []
    from_log: list[float] = []
    for n in range(count):
        call = server.call(digits="2")
        page.wait_for_function(
            "n => (window.madoguchiPopTimes || []).length > n", arg=n, timeout=WAIT * 1000
        )
        entry = page.evaluate("n => window.madoguchiPopTimes[n]", n)
        rendered = float(entry["rendered_at_ms"])
        samples.append(rendered - float(entry["offered_at_ms"]))
        offered = server.event("agent.offered", str(entry["contact_id"])).occurred_at
        from_log.append(rendered - offered.replace(tzinfo=offered.tzinfo or UTC).timestamp() * 1000)
        server.hang_up(call)
        state_pill(page, "ready")
    return PopLatency(samples, from_log)


def no_axe_violations(page: Page) -> None:
    """axe-core (WCAG 2.0-2.2 A/AA and best practice) finds nothing on the page as it is now."""
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    found: list[dict[str, Any]] = results.response["violations"]
    assert found == [], "\n".join(
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in found
    )
