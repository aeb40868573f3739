"""Every main page: zero axe-core violations (WCAG 2.2 A/AA), loads in under 3 s, screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.webagent.browsing import (
    REPO,
    VIEWPORT,
    DemoServer,
    sign_in,
    submit_signin,
)

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LOAD_BUDGET_S = 3.0
SCREENSHOTS = REPO / "docs" / "screenshots"


@dataclass(frozen=True)
class PageCase:
    """A page in a given state: who looks at it, where, and how to bring it into that state."""

    name: str
    user: str | None
    path: str
    prepare: Callable[[Page, str], None] | None = None
    screenshot: str | None = None


def _signin_error(page: Page, url: str) -> None:
    page.get_by_label("ユーザーID").fill("op1")
    page.get_by_label("パスワード").fill("wrong-password-0")
    page.get_by_role("button", name="サインイン").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _password_errors(page: Page, url: str) -> None:
    page.get_by_label("現在のパスワード").fill("wrong-current-0")
    page.get_by_label("新しいパスワード", exact=True).fill("Sakura-Tsubame-2027")
    page.get_by_label("新しいパスワード（確認）").fill("Sakura-Tsubame-2028")
    page.get_by_role("button", name="変更する").click()
    expect(page.locator(".field-error")).to_have_count(1)


def _live_settled(page: Page, url: str) -> None:
    page.locator('#connection:not([data-state="connecting"])').wait_for()


CASES = [  # pages in the state a user sees them; page loads are timed before `prepare`
    PageCase("signin", None, "/signin", screenshot="signin"),
    PageCase("signin-error", None, "/signin", _signin_error),
    PageCase("totp-enrol", "manager@enrol", "/account/totp", screenshot="totp-enrol"),
    PageCase("totp-verify", "security@verify", "/signin/totp"),
    PageCase("home-operator", "op1", "/", _live_settled, screenshot="home-operator"),
    PageCase("home-leader", "leader", "/", _live_settled, screenshot="home-leader"),
    PageCase("password-errors", "op1", "/account/password", _password_errors),
    PageCase("admin-users", "admin", "/admin/users", screenshot="admin-users"),
    PageCase("audit", "security", "/audit", screenshot="audit"),
    PageCase("not-found", "op1", "/no-such-page"),
]


class Sessions:
    """Browser contexts signed in as each user once per module (TOTP codes cannot be replayed)."""

    def __init__(self, browser: Browser, server: DemoServer) -> None:
        self.browser = browser
        self.server = server
        self.contexts: dict[str | None, BrowserContext] = {}

    def _new(self) -> BrowserContext:
        ctx = self.browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
        ctx.set_default_timeout(10_000)
        return ctx

    def page_for(self, who: str | None) -> Page:
        """A fresh page in the context of `who` (a user, or user@stage for a half sign-in)."""
        if who not in self.contexts:
            ctx = self._new()
            self.contexts[who] = ctx
            page = ctx.new_page()
            if who is None:
                pass
            elif who.endswith("@enrol"):
                submit_signin(page, self.server, who.split("@")[0], "Madoguchi-demo-2026")
                expect(page).to_have_url(f"{self.server.url}/account/totp")
            elif who.endswith("@verify"):
                username = who.split("@")[0]
                self.page_for(username).close()  # enrols the user first
                submit_signin(page, self.server, username, "Madoguchi-demo-2026")
                expect(page).to_have_url(f"{self.server.url}/signin/totp")
            else:
                sign_in(page, self.server, who)
            page.close()
        return self.contexts[who].new_page()

    def close(self) -> None:
        for ctx in self.contexts.values():
            ctx.close()


@pytest.fixture(scope="module")
def sessions(browser: Browser, demo_server: DemoServer) -> Iterator[Sessions]:
    s = Sessions(browser, demo_server)
    yield s
    s.close()


def _open(sessions: Sessions, case: PageCase, *, prepare: bool = True) -> tuple[Page, float]:
    page = sessions.page_for(case.user)
    started = time.perf_counter()
    response = page.goto(sessions.server.url + case.path, wait_until="load")
    elapsed = time.perf_counter() - started
    assert response is not None
    assert page.url == sessions.server.url + case.path, page.url
    if prepare and case.prepare is not None:
        case.prepare(page, sessions.server.url)
    return page, elapsed


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


@pytest.mark.req("N-A11Y-1")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_page_has_no_axe_violations(sessions: Sessions, case: PageCase) -> None:
    page, _ = _open(sessions, case)
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    assert results.response["testEngine"]["name"] == "axe-core"
    assert results.response["violations"] == [], _report(results.response["violations"])
    page.close()


@pytest.mark.req("N-PERF-1")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_page_loads_within_three_seconds(
    sessions: Sessions, case: PageCase, record_property: Callable[[str, object], None]
) -> None:
    page, elapsed = _open(sessions, case, prepare=False)
    navigation = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {ttfb: n.responseStart, load: n.loadEventEnd}; }"
    )
    record_property("goto_seconds", round(elapsed, 3))
    record_property("load_event_ms", round(navigation["load"], 1))
    print(
        f"\nN-PERF-1 {case.name}: goto {elapsed * 1000:.0f} ms, "
        f"TTFB {navigation['ttfb']:.0f} ms, load {navigation['load']:.0f} ms"
    )
    assert elapsed < LOAD_BUDGET_S
    assert navigation["load"] < LOAD_BUDGET_S * 1000
    page.close()


SHOTS = [c for c in CASES if c.screenshot]


@pytest.mark.req("N-USE-1")
@pytest.mark.parametrize("case", SHOTS, ids=[c.name for c in SHOTS])
def test_page_screenshot_saved(sessions: Sessions, case: PageCase) -> None:
    page, _ = _open(sessions, case)
    page.evaluate("document.fonts.ready")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{case.screenshot}.png"
    page.screenshot(path=str(target), full_page=True)
    size = page.evaluate("() => [document.documentElement.scrollWidth, window.innerHeight]")
    assert size == [VIEWPORT["width"], VIEWPORT["height"]]
    assert target.stat().st_size > 10_000
    page.close()
