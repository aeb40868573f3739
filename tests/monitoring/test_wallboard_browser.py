"""The wallboard in a real browser (N-A11Y-1, F-2.4.3, N-SEC-4): a server-side emit shows within
one second, tiles carry words and icons as well as colour, zero axe violations, screenshot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cms.service import append_many
from realtime.auth.permissions import Role
from realtime.monitoring import store
from realtime.monitoring.subsystem import Monitor
from realtime.timeutil import JST, utcnow
from tests.cms_kpi.builders import Journal
from tests.realtime.live import bound_socket, uvicorn_in_thread
from tests.support.app import PASSWORD, add_user, make_app, make_settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DELAY_BUDGET_S = 1.0


class Served:
    """A live server in this process, and a handle on its event loop for server-side emits."""

    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def monitor(self) -> Monitor:
        found: Monitor = self.app.ctx.extras["monitor"]
        return found

    def on_server(self, coro: Any) -> Any:
        assert self.loop is not None, "no socket has connected yet"
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("MADOGUCHI_MONITOR_INTERVAL_SECONDS", "3600")  # rules run by the test
    monkeypatch.setenv("MADOGUCHI_MONITOR_KPI_PUSH_SECONDS", "600")
    sock = bound_socket()
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    app = make_app(make_settings(tmp_path, public_url=url, socket_sweep_seconds=300))
    add_user(app, "leader1", Role.LEADER)
    handle = Served(url, app)

    async def capture_loop(_principal: Any) -> dict[str, Any]:
        handle.loop = asyncio.get_running_loop()
        return {}

    app.ctx.hub.add_snapshot_provider("/supervisor", capture_loop)
    with uvicorn_in_thread(app, sock):
        yield handle


@pytest.fixture
def page(served: Served) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo"
        )
        context.set_default_timeout(10_000)
        pg = context.new_page()
        pg.goto(f"{served.url}/signin")
        pg.get_by_label("ユーザーID").fill("leader1")
        pg.get_by_label("パスワード").fill(PASSWORD)
        pg.get_by_role("button", name="サインイン").click()
        pg.wait_for_url(f"{served.url}/")
        pg.goto(f"{served.url}/wallboard")
        expect(pg.locator("#connection")).to_have_text("● 接続中（リアルタイム）")
        yield pg
        context.close()
        browser.close()


def _wait_visible_delay(page: Page, selector: str, start: float) -> float:
    page.locator(selector).wait_for(state="visible", timeout=5_000)
    return time.monotonic() - start


@pytest.mark.req("N-SEC-4", "N-A11Y-1")
def test_an_alert_emitted_by_the_server_shows_within_one_second_and_can_be_acknowledged(
    served: Served, page: Page
) -> None:
    expect(page.locator("#floor-empty")).to_be_visible()  # no call path: a note, no fake queues
    expect(page.locator("#queues tbody tr")).to_have_count(0)
    expect(page.locator("#alerts-empty")).to_be_visible()
    condition = store.Condition(
        "subsystem_down", "switch", "critical", "サブシステム「switch」が応答しません（3回連続）。"
    )
    start = time.monotonic()
    served.on_server(
        served.monitor.apply(kinds={"subsystem_down"}, firing=[condition], now=utcnow())
    )
    delay = _wait_visible_delay(page, "#alerts li[data-open='true']", start)
    print(f"\nalert emit -> DOM: {delay * 1000:.0f} ms")
    assert delay < DELAY_BUDGET_S
    item = page.locator("#alerts li").first
    expect(item).to_contain_text("⛔ 重大・サブシステム停止")
    expect(item).to_contain_text("switch")
    expect(page.locator("#alerts-empty")).to_be_hidden()
    item.get_by_role("button", name="確認済みにする").click()
    expect(page.locator("#ack-result")).to_have_text("✔ 警報を確認済みにしました。")
    expect(item).to_contain_text("確認済み（leader1）")

    def audited() -> list[str]:
        from realtime.audit import service as audit

        with served.app.ctx.db.session() as session:
            return [e.action for e in audit.recent(session, limit=5)]

    assert "alert-acknowledged" in audited()


@pytest.mark.req("F-2.4.3", "N-A11Y-1")
def test_live_kpis_pushed_by_the_server_update_the_tiles_within_one_second(
    served: Served, page: Page
) -> None:
    now = utcnow()
    half = now.astimezone(JST).replace(minute=0 if now.astimezone(JST).minute < 30 else 30)
    start_of_half = half.replace(second=0, microsecond=0)
    j = Journal()
    for i in range(4):  # two within 15 s, one late, one abandoned: 2/4 = 50 %
        at = start_of_half + (now - start_of_half) * (i + 1) / 10
        if i == 3:
            j.call(f"k{i}", at, queue_after=0.0, abandon_after=0.1)
        else:
            j.call(f"k{i}", at, queue_after=0.0, wait=5.0 if i < 2 else 0.2, ended=False)
    j.events = [e for e in j.events if e.occurred_at <= now]
    with served.app.ctx.db.session() as session:
        append_many(session, events=j.events)
    start = time.monotonic()
    assert served.on_server(served.monitor.refresh_kpis_once()) is True
    tile = page.locator("#kpi-today [data-kpi='answered'] .value")
    expect(tile).to_have_text("3件", timeout=5_000)
    delay = time.monotonic() - start
    print(f"\nkpi emit -> DOM: {delay * 1000:.0f} ms")
    assert delay < DELAY_BUDGET_S
    sl = page.locator("#kpi-today [data-kpi='service_level']")
    expect(sl.locator(".value")).to_have_text("75.0%")
    expect(sl.locator(".state")).to_have_text("✖ 未達")  # a word and an icon, not colour alone
    abandon = page.locator("#kpi-today [data-kpi='abandon_rate']")
    expect(abandon.locator(".state")).to_have_text("✖ 未達")
    assert served.on_server(served.monitor.refresh_kpis_once()) is False  # unchanged: no push


@pytest.mark.req("N-A11Y-1")
def test_wallboard_has_no_axe_violations_and_a_screenshot(served: Served, page: Page) -> None:
    condition = store.Condition(
        "disk_space",
        "media",
        "warning",
        "「media」フォルダのディスク空き容量が残り 8.2 GB（6.1%）です。",
    )
    served.on_server(served.monitor.apply(kinds={"disk_space"}, firing=[condition], now=utcnow()))
    page.locator("#alerts li").first.wait_for()
    served.on_server(served.monitor.refresh_kpis_once())
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    target = REPO / "docs" / "screenshots" / "wallboard.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
