"""In Chromium against `madoguchi demo` (its log seeded with a day and its draft, mail going to
an aiosmtpd relay on loopback): a supervisor writes ②-⑤ and the two extra fields, approves and
sends; axe-core finds nothing in each state of the page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cms.reports.daily import draft_daily
from cms.service import append_many
from realtime import migrate
from realtime.db import Database
from tests.cms_kpi.builders import DAY, LATER, standard_day
from tests.reports_daily_ui.relay import RECIPIENTS, Handler, Relay, relay_on_loopback
from tests.webagent.browsing import REPO, DemoServer, NewContext, sign_in
from tests.webagent.conftest import _wait_for_port_file, browser, new_context
from tests.webagent.test_pages_quality import AXE_TAGS

__all__ = ["browser", "new_context"]
pytestmark = pytest.mark.browser

TEXTS = {
    "② 主なクレーム・課題等": "待ち時間が長いとのご意見が2件。",
    "③ 所管課取次ぎ・転送に関するトピックス": "保険年金課への取次ぎが午前に集中。",
    "④ 状況（入電傾向・センター対応状況・特殊イベント）": "午前中に入電が集中しました。",
    "⑤ 新型コロナウイルスに関する問合せ状況": "接種証明の問合せが3件。",
    "利用者からの声": "案内が分かりやすかったとの声。",
    "不審電話情報": "区職員を名乗る還付金の電話が1件。",
}


@pytest.fixture(scope="module")
def relay() -> Iterator[Relay]:
    with relay_on_loopback(Handler(refuse=0)) as r:
        yield r


@pytest.fixture(scope="module")
def daily_demo(tmp_path_factory: pytest.TempPathFactory, relay: Relay) -> Iterator[DemoServer]:
    """`madoguchi demo` on a data folder whose log holds 2026-11-02 and its draft."""
    base = tmp_path_factory.mktemp("daily-demo")
    data_dir = base / "data"
    data_dir.mkdir()
    url = f"sqlite:///{(data_dir / 'madoguchi.sqlite3').resolve()}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.session() as session:
            append_many(session, events=standard_day().events)
            draft_daily(session, day=DAY, actor="system:daily-report", now=LATER)
    finally:
        db.dispose()
    port_file, log_path = base / "url", base / "server.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MADOGUCHI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        PYTHONPATH=str(REPO),
        MADOGUCHI_DATA_DIR=str(data_dir),
        MADOGUCHI_SMTP_HOST="127.0.0.1",
        MADOGUCHI_SMTP_PORT=str(relay.port),
        MADOGUCHI_REPORT_FROM="center@callcenter.example.jp",
        MADOGUCHI_REPORT_RECIPIENTS=",".join(RECIPIENTS),
        PYTHONUNBUFFERED="1",
        MADOGUCHI_DEMO_TRAFFIC_PER_HOUR="0",
    )
    command = [sys.executable, "-m", "realtime.cli", "demo", "--port", "0"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--port-file", str(port_file)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield DemoServer(
            url=_wait_for_port_file(proc, port_file, log_path),
            data_dir=data_dir,
            log_path=log_path,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _axe_clean(page: Page, state: str) -> None:
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations: list[dict[str, Any]] = results.response["violations"]
    summary = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations]
    assert violations == [], (state, summary)


@pytest.mark.req("R-DAILY", "N-A11Y-1", "N-USE-1")
def test_supervisor_writes_approves_and_sends_the_daily_report(
    daily_demo: DemoServer, relay: Relay, new_context: NewContext, tmp_path: Path
) -> None:
    page = new_context().new_page()
    sign_in(page, daily_demo, "sv")
    page.get_by_role("link", name="日報").click()
    page.wait_for_url(f"{daily_demo.url}/reports/daily")
    expect(page.get_by_role("heading", name="2026年11月2日の日報")).to_be_visible()
    expect(page.locator('[data-number="calls_received"]')).to_have_text("7件")
    expect(page.locator("#report-status")).to_contain_text("下書き")
    _axe_clean(page, "draft")

    # personal data is refused under the field, and focus moves there
    voices = page.get_by_label("利用者からの声")
    voices.fill("090-1234-5678 の方から苦情")
    page.keyboard.press("Alt+KeyS")
    expect(page.locator("#err-user_voices")).to_contain_text("電話・FAX番号")
    expect(voices).to_be_focused()
    expect(voices).to_have_attribute("aria-invalid", "true")
    _axe_clean(page, "field error")

    for label, text in TEXTS.items():
        page.get_by_label(label, exact=True).fill(text)
    page.keyboard.press("Alt+KeyS")
    expect(page.locator("#daily-message")).to_have_text("✔ 保存しました。")
    expect(page.locator("#history")).to_contain_text("記入・保存")

    page.get_by_role("button", name="承認").click()
    expect(page.locator("#report-status")).to_contain_text("承認済み")
    expect(page.get_by_label("不審電話情報")).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="区へ送信")).to_be_focused()

    page.keyboard.press("Alt+KeyM")
    expect(page.locator("#report-status")).to_contain_text("送信済み", timeout=30_000)
    expect(page.locator("#daily-message")).to_have_text("✔ 区へ送信しました。")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(3)).to_contain_text("sv")
    _axe_clean(page, "sent")

    [(rcpts, msg)] = relay.messages()
    assert sorted(rcpts) == sorted(RECIPIENTS)
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert "区職員を名乗る還付金の電話が1件。" in plain.get_content()
    assert "保険年金課への取次ぎが午前に集中。" in html.get_content()
    page.screenshot(path=str(tmp_path / "daily.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280
