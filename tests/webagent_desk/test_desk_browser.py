"""The agent desk and the city screens in Chromium against a real `madoguchi demo` server:
an operator's FAQ search, the history form's live personal-data guard, the work queue, the
softphone without a SIP server; city staff's read-only search; axe-core; 200 % zoom."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.webagent.browsing import REPO, VIEWPORT, DemoServer, NewContext, sign_in

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = REPO / "docs" / "screenshots"
ZOOM_WIDTH = VIEWPORT["width"] // 2  # 200 % zoom of the standard window = half the CSS width
POP = {
    "contact_id": "pop-0001",
    "line_label": "区代表電話",
    "menu": "juminhyo",
    "waited_s": 42,
    "script": {"title": "住民票の写し", "steps": ["名乗る", "ご用件を伺う", "窓口をご案内する"]},
    "faq": [{"faq_id": "F0001", "question": "住民票の写しはどこで取れますか"}],
}


def _axe(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    assert results.response["testEngine"]["name"] == "axe-core"
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
        for v in violations
    )


def _open_desk(page: Page, server: DemoServer) -> None:
    page.goto(f"{server.url}/desk")
    expect(page.get_by_role("heading", level=1)).to_have_text("オペレーター画面")
    page.locator('#connection:not([data-state="connecting"])').wait_for()
    expect(page.locator("#wq-status")).not_to_be_empty()


def _operator(desk_context: NewContext, server: DemoServer, user: str = "op1") -> Page:
    page = desk_context().new_page()
    sign_in(page, server, user)
    _open_desk(page, server)
    return page


@pytest.mark.req("F-2.1.3", "N-USE-1")
def test_operator_finds_faq_by_keyword_category_and_most_referenced(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    page.keyboard.press("Alt+f")
    expect(page.get_by_label(re.compile("^キーワード"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#faq-q-error")).to_have_text("検索語を入力してください。")
    page.keyboard.type("住民票 写し")
    page.keyboard.press("Enter")
    results = page.locator("#faq-results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#faq-status")).to_contain_text("件見つかりました")
    first_question = results.first.get_by_role("button").inner_text()
    results.first.get_by_role("button").click()
    expect(page.locator("#faq-detail")).to_be_visible()
    expect(page.locator("#faq-detail-q")).to_have_text(first_question)
    expect(page.locator("#faq-detail-a")).not_to_be_empty()

    page.keyboard.press("Alt+c")
    expect(page.locator("#faq-categories summary")).to_be_focused()
    top = page.locator("#faq-categories > ul > li > button").first
    top.click()
    expect(top).to_have_attribute("aria-expanded", "true")
    child = page.locator("#faq-categories > ul > li").first.locator("ul button").first
    expect(child).to_be_visible()
    child.click()
    expect(page.locator("#faq-status")).to_contain_text("件見つかりました")
    category = top.inner_text().split("（")[0]
    expect(results.first).to_contain_text(category)

    page.keyboard.press("Alt+r")
    popular = page.locator("#faq-popular-list li")
    expect(popular.first.get_by_role("button")).to_have_text(first_question)
    expect(popular.first).to_contain_text("回）")


@pytest.mark.req("F-2.1.4", "N-A11Y-1")
def test_history_guard_shows_personal_data_live_and_blocks_save_until_fixed(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    page.keyboard.press("Alt+i")
    expect(page.locator("#h-contact")).to_be_focused()
    page.keyboard.type("desk-c-0001")
    answer = page.get_by_label(re.compile("^回答内容"))
    answer.click()
    page.keyboard.type("住民票の写しについて案内。折り返しは 090-1234-5678 へ。")
    guard = page.locator("#h-answer-guard")
    expect(guard).to_have_attribute("data-state", "found")
    expect(guard).to_contain_text("電話・FAX番号")
    expect(page.locator("#h-answer-findings li")).to_contain_text("090-1234-5678")
    expect(answer).to_have_attribute("aria-invalid", "true")
    save = page.locator("#history-save")
    expect(save).to_be_disabled()
    assert _axe(page) == [], _report(_axe(page))

    answer.fill("住民票の写しは区民課証明係で取得できるとご案内しました。")
    expect(guard).to_have_attribute("data-state", "clean")
    expect(save).to_be_enabled()
    page.get_by_label("対応結果").select_option("handoff")
    page.keyboard.press("Alt+s")
    expect(page.locator("#h-handoff_dept-error")).to_contain_text("引継ぎ先")
    expect(page.get_by_label("引継ぎ先・取次ぎ先の係")).to_be_focused()
    page.get_by_label("対応結果").select_option("answered")
    save.dblclick()
    expect(page.locator("#history-result")).to_contain_text("保存しました")
    expect(page.locator("#history-summary")).to_be_hidden()
    expect(page.locator("#h-contact")).to_have_value("")


@pytest.mark.req("F-2.1.5", "N-USE-1")
def test_work_queue_lists_a_callback_with_its_due_clock_and_can_be_taken(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server, "op2")
    created = page.evaluate(
        """async () => {
            const csrf = document.getElementById('desk').dataset.csrf;
            const due = new Date(Date.now() + 30 * 60 * 1000).toISOString();
            const r = await fetch('/api/crm/workqueue/callbacks', {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
              body: JSON.stringify({number: '03-3981-1111', due_at: due})});
            return r.status;
        }"""
    )
    assert created == 201
    page.keyboard.press("Alt+w")
    row = page.locator("#wq-body tr", has_text="折り返し").first
    expect(row).to_contain_text("期限まで")
    expect(row.locator(".due")).to_have_attribute("data-due", "soon")
    expect(row).to_contain_text("未着手")
    row.get_by_role("button", name=re.compile("を取る$")).click()
    expect(page.locator("#wq-status")).to_contain_text("要対応")
    expect(page.locator("#wq-body tr", has_text="op2").first).to_contain_text("対応中")


@pytest.mark.req("N-USE-1", "N-A11Y-1")
def test_softphone_without_server_says_unconnected_and_keypad_works_by_keyboard(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    status = page.locator("[data-phone=status]")
    expect(status).to_have_attribute("data-state", "unconfigured")
    expect(status).to_contain_text("未接続")
    for name in ("hold", "mute", "hangup"):
        expect(page.locator(f"[data-phone={name}]")).to_be_disabled()
    page.keyboard.press("Alt+k")
    expect(page.get_by_role("button", name="トーン 1")).to_be_focused()
    page.keyboard.type("12#")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the focused key after "1" is "2"
    expect(page.locator("[data-phone=dtmf]")).to_have_text("12#2")
    expect(page.locator("[data-phone=message]")).to_contain_text("通話中のときだけ")
    expect(page.locator("[data-phone=timer]")).to_have_text("0:00")


@pytest.mark.req("N-PERF-1")
def test_ice_gathering_is_bounded_in_the_built_bundle(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    timing = page.evaluate(
        """async () => {
            const S = window.MadoguchiSoftphone;
            const host = {candidate: 'candidate:1 1 udp 2122260223 10.0.0.5 5000 typ host'};
            const srflx = {candidate: 'candidate:2 1 udp 1686052607 203.0.113.7 4000 typ srflx'};
            const t0 = performance.now();
            const timeout = await new Promise((resolve) => {
                const gate = S.createIceGate(150);
                gate.onCandidate({candidate: host, ready: () =>
                    resolve({ms: performance.now() - t0, by: gate.endedBy})});
            });
            let calls = 0;
            const fast = S.createIceGate(5000);
            fast.onCandidate({candidate: host, ready: () => calls++});
            fast.onCandidate({candidate: srflx, ready: () => calls++});
            return {timeout, fastBy: fast.endedBy, calls, fmt: S.formatDuration(125)};
        }"""
    )
    assert timing["timeout"]["by"] == "timeout"
    assert 140 <= timing["timeout"]["ms"] < 1000
    assert timing["fastBy"] == "srflx"
    assert timing["calls"] == 1
    assert timing["fmt"] == "2:05"


@pytest.mark.req("F-2.1.3", "N-A11Y-1")
def test_screen_pop_shows_menu_script_and_faq_and_is_announced(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    expect(page.locator("#pop-live")).to_have_attribute("aria-live", "assertive")
    page.evaluate("pop => window.madoguchiDesk.showPop(pop)", POP)
    expect(page.locator("#pop-line")).to_have_text("区代表電話")
    expect(page.locator("#pop-menu")).to_have_text("juminhyo")
    expect(page.locator("#pop-waited")).to_have_text("0分42秒")
    expect(page.locator("#pop-script li")).to_have_text(
        ["名乗る", "ご用件を伺う", "窓口をご案内する"]
    )
    expect(page.locator("#pop-script-title")).to_contain_text("住民票の写し")
    expect(page.locator("#h-contact")).to_have_value("pop-0001")
    expect(page.locator("#accept-btn")).to_be_enabled()
    page.locator("#pop-faq button").click()
    expect(page.locator("#faq-detail")).to_be_focused()
    page.get_by_role("button", name=re.compile("対応履歴に引用")).click()
    expect(page.locator("#h-faqs li")).to_contain_text("F0001")
    page.keyboard.press("Alt+a")  # a pop the call path never offered: refused
    expect(page.locator("#accept-result")).to_contain_text("⚠")
    assert _axe(page) == [], _report(_axe(page))


@pytest.mark.req("N-USE-1")
def test_status_control_uses_the_call_path_and_shows_its_shortcuts(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    for name in ("受付可", "離席"):
        expect(page.get_by_role("button", name=re.compile(f"^{name} Alt"))).to_be_enabled()
    expect(page.locator("#state-note")).to_have_count(0)
    page.keyboard.press("Alt+3")
    expect(page.get_by_label(re.compile("^離席の理由"))).to_be_focused()
    for label in ("Alt+1", "Alt+2", "Alt+3", "Alt+S", "Alt+W", "Alt+F"):
        first, second = label.split("+")
        expect(page.locator("kbd:visible", has_text=second).first).to_be_visible()
        assert page.locator("kbd", has_text=first).count() > 10


@pytest.mark.req("N-USE-1")
def test_two_desk_tabs_of_one_agent_warn_each_other(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    other = page.context.new_page()
    _open_desk(other, demo_server)
    expect(page.locator("#tabs-banner")).to_contain_text("別のタブ")
    expect(other.locator("#tabs-banner")).to_contain_text("別のタブ")
    other.close()
    expect(page.locator("#tabs-banner")).to_be_hidden()


@pytest.mark.req("N-USE-1")
def test_dropped_websocket_tells_the_agent_and_recovers(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    page = _operator(desk_context, demo_server)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.evaluate("() => window.madoguchiDesk.socket.io.engine.close()")
    banner = page.locator("#connection-banner")
    expect(banner).to_contain_text("接続が切れました")
    expect(banner).to_contain_text("再接続しました", timeout=15_000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")


def _city(desk_context: NewContext, server: DemoServer) -> Page:
    page = desk_context().new_page()
    sign_in(page, server, "city")
    page.goto(f"{server.url}/city")
    expect(page.get_by_role("heading", level=1)).to_contain_text("対応履歴の閲覧")
    return page


@pytest.mark.req("F-2.1.4", "N-A11Y-1")
def test_city_staff_search_history_read_only(
    demo_server: DemoServer, desk_context: NewContext
) -> None:
    operator = _operator(desk_context, demo_server, "leader")
    operator.locator("#h-contact").fill("city-c-0001")
    operator.get_by_label(re.compile("^回答内容")).fill("粗大ごみの申込み方法をご案内しました。")
    expect(operator.locator("#h-answer-guard")).to_have_attribute("data-state", "clean")
    operator.locator("#history-save").click()
    expect(operator.locator("#history-result")).to_contain_text("保存しました")

    page = _city(desk_context, demo_server)
    page.get_by_label("回答内容のキーワード").fill("粗大ごみ")
    page.get_by_label("回答内容のキーワード").press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("1件")
    table = page.get_by_role("table", name=re.compile("対応履歴"))
    expect(table).to_contain_text("粗大ごみの申込み方法")
    expect(table).to_contain_text("センター内で回答")
    assert page.locator("form[method=post]:not([action='/signout'])").count() == 0
    assert page.locator("main button:not([type=submit]), main input[type=checkbox]").count() == 0

    page.get_by_label("開始日").fill("2026-05-02")
    page.get_by_label("終了日").fill("2026-05-01")
    page.get_by_role("button", name=re.compile("表示する")).click()
    expect(page.locator("#f-to-error")).to_contain_text("終了日は開始日以降")
    expect(page.get_by_label("終了日")).to_have_attribute("aria-invalid", "true")
    assert _axe(page) == [], _report(_axe(page))

    page.get_by_role("link", name="引継ぎ一覧").click()
    expect(page.get_by_role("link", name="引継ぎ一覧")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status").first).to_contain_text("件")
    page.get_by_role("link", name="折り返し一覧").click()
    expect(page.get_by_role("table", name=re.compile("折り返し"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("引継ぎ先ごとの件数"))).to_be_visible()


@pytest.mark.req("N-A11Y-1")
@pytest.mark.parametrize("path", ["/desk", "/city?view=history&searched=1"])
def test_page_has_no_axe_violations_and_fits_at_200_percent_zoom(
    demo_server: DemoServer, desk_context: NewContext, path: str
) -> None:
    who = "op1" if path == "/desk" else "city"
    ctx = desk_context()
    page = ctx.new_page()
    sign_in(page, demo_server, who)
    started = time.perf_counter()
    page.goto(demo_server.url + path)
    assert time.perf_counter() - started < 3.0
    page.locator("h1").wait_for()
    if path == "/desk":
        page.locator('#connection:not([data-state="connecting"])').wait_for()
    assert _axe(page) == [], _report(_axe(page))
    name = "desk" if path == "/desk" else "city"
    page.evaluate("document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.set_viewport_size({"width": ZOOM_WIDTH, "height": VIEWPORT["height"] // 2})
    page.goto(demo_server.url + path)
    page.locator("h1").wait_for()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= ZOOM_WIDTH, f"horizontal scrolling at 200 % zoom: {width}px"
    assert _axe(page) == [], _report(_axe(page))
