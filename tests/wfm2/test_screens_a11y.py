"""The /wfm screens in a real browser: zero axe-core violations (WCAG 2.2 A/AA), no script."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, sync_playwright

from cms import service as events
from cms.events import Channel, EventType
from realtime.db import Database
from realtime.timeutil import JST
from tests.webagent.browsing import VIEWPORT, DemoServer, sign_in
from tests.webagent.conftest import CHROMIUM, CHROMIUM_ARGS
from wfm.shifts import service
from wfm.shifts.contracts import AgentContract
from wfm.shifts.patterns import generate_patterns
from wfm.shifts.solver import Requirement, solve_schedule

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PAGES = [
    ("scheduler", "/wfm", "要員管理"),
    ("scheduler", "/wfm/forecast", "svg"),
    ("scheduler", "/wfm/staffing?calls=1200&aht=180&patience=120", "svg"),
    ("scheduler", "/wfm/schedules/{schedule}", "svg"),
    ("leader", "/wfm/adherence", "遵守率"),
]


@dataclass(frozen=True)
class PageCheck:
    """What one screen showed in the browser."""

    status: int
    has_marker: bool
    violations: list[dict[str, Any]]
    console_errors: list[str]


def _seed(server: DemoServer) -> str:
    """A schedule around today, calls for the last 13 weeks and today's agent states."""
    db = Database(f"sqlite:///{(server.data_dir / 'madoguchi.sqlite3').resolve()}")
    today = datetime.now(JST).date()
    monday = today - timedelta(days=today.weekday())
    patterns = generate_patterns(open_min=8 * 60 + 30, close_min=17 * 60 + 15)
    contracts = [AgentContract("op1"), AgentContract("op2"), AgentContract("leader")]
    requirement = Requirement(
        8 * 60 + 30, 30, {monday + timedelta(days=i): [2] * 17 for i in range(7)}
    )
    result = solve_schedule(
        requirement=requirement, contracts=contracts, patterns=patterns, time_limit_s=10
    )
    rng = random.Random(3)
    batch: list[events.NewEvent] = []
    for back in range(1, 92):
        day = today - timedelta(days=back)
        for _ in range(0 if day.weekday() >= 5 else rng.randint(20, 30)):
            at = datetime(day.year, day.month, day.day, 9, tzinfo=JST)
            batch.append(
                events.NewEvent(
                    type=EventType.CONTACT_RECEIVED, channel=Channel.CALL,
                    occurred_at=at + timedelta(minutes=rng.randrange(480)),
                    contact_id=f"seed-{len(batch)}",
                )
            )  # fmt: skip
    start = datetime(today.year, today.month, today.day, 8, 40, tzinfo=JST)
    batch.append(events.NewEvent(type=EventType.AGENT_SIGNED_IN, occurred_at=start, agent="op1"))
    with db.session() as session:
        service.save_patterns(session, patterns=patterns, actor="test")
        for c in contracts:
            service.save_contract(session, contract=c, actor="test")
        schedule_id = service.store_schedule(
            session, name="今週のシフト", requirement=requirement, result=result, actor="test"
        )
    with db.session() as session:
        events.append_many(session, events=batch)
    db.dispose()
    return schedule_id


def _collect(errors: list[str]) -> Callable[[ConsoleMessage], None]:
    def on_message(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    return on_message


def _check(server: DemoServer, schedule_id: str) -> dict[str, PageCheck]:
    """Open every screen as its user and run axe (with this thread's own Playwright)."""
    out: dict[str, PageCheck] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            contexts: dict[str, BrowserContext] = {}
            for user, path, marker in PAGES:
                if user not in contexts:
                    ctx = browser.new_context(
                        viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo"
                    )
                    ctx.set_default_timeout(10_000)
                    first = ctx.new_page()
                    sign_in(first, server, user)
                    first.close()
                    contexts[user] = ctx
                page = contexts[user].new_page()
                errors: list[str] = []
                page.on("console", _collect(errors))
                url = server.url + path.format(schedule=schedule_id)
                response = page.goto(url, wait_until="load")
                results = Axe().run(
                    page,
                    options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                             "resultTypes": ["violations"]},
                )  # fmt: skip
                out[path] = PageCheck(
                    status=response.status if response else 0,
                    has_marker=marker in page.content(),
                    violations=results.response["violations"],
                    console_errors=errors,
                )
                page.close()
        finally:
            browser.close()
    return out


@pytest.fixture(scope="module")
def checks(demo_server: DemoServer) -> dict[str, PageCheck]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    schedule_id = _seed(demo_server)
    # A thread of its own: the browser tests' session-wide Playwright may be running already.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_check, demo_server, schedule_id).result(timeout=300)


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
        for v in violations
    )


@pytest.mark.req("F-2.3.1", "F-2.3.2", "N-A11Y-1")
@pytest.mark.parametrize(("user", "path", "marker"), PAGES, ids=[p[1] for p in PAGES])
def test_wfm_screen_has_no_axe_violations(
    checks: dict[str, PageCheck], user: str, path: str, marker: str
) -> None:
    check = checks[path]
    assert check.status == 200, user
    assert check.has_marker, marker
    assert check.violations == [], _report(check.violations)
    assert check.console_errors == []  # no CSP refusals (styles come from /wfm/static/wfm.css)
