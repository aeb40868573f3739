"""An administrator changes every kind of setting through the settings screens in Chromium
against `madoguchi demo`: each change shows after a reload and in the page's change history
(who and when); wrong values get Japanese messages under the field; deletes ask first; an
operator gets 403. Every screen passes axe-core and fits 640 px without horizontal scrolling."""

from __future__ import annotations

import io
import math
import re
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect

from tests.webagent.browsing import REPO, DemoServer, NewContext, sign_in
from tests.webagent.test_pages_quality import AXE_TAGS
from webagent.admin.screens import SCREENS

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "docs" / "screenshots"
STAMP = re.compile(r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture
def page(admin_context: BrowserContext) -> Iterator[Page]:
    p = admin_context.new_page()
    yield p
    p.close()


def _open(page: Page, server: DemoServer, slug: str) -> None:
    response = page.goto(f"{server.url}/admin/settings/{slug}")
    assert response is not None
    assert response.status == 200


def _saved(page: Page, text: str) -> None:
    """The page reloaded after the change and says it was saved."""
    expect(page.locator("#admin-status")).to_contain_text(text)


def _latest_change(page: Page, action_ja: str, target: str) -> None:
    """The first row of the change history is this change, by the administrator, just now."""
    first = page.get_by_role("table", name=re.compile("この設定の最近の変更")).locator("tbody tr")
    row = first.first
    expect(row).to_contain_text(action_ja)
    expect(row).to_contain_text(target)
    expect(row.locator("td").nth(1)).to_have_text("admin")
    assert STAMP.fullmatch(row.locator("td").first.inner_text().strip())


def _row(page: Page, caption: str, key: str) -> Locator:
    """The row of the table whose caption starts with ``caption`` that has a cell ``key``."""
    table = page.get_by_role("table", name=re.compile("^" + caption))
    return table.locator("tbody tr").filter(has=page.get_by_role("cell", name=key, exact=True))


def _field_error(control: Locator, message: str) -> None:
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_accessible_description(re.compile(re.escape(message)))


def _wav(seconds: float = 0.5, rate: int = 16000) -> bytes:
    samples = array(
        "h",
        (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(rate * seconds))),
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return out.getvalue()


@pytest.mark.req("F-1.1.4", "F-1.2.1", "N-USE-1")
def test_admin_edits_a_lines_hours_with_field_errors(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "lines")
    row = _row(page, "回線", "0339811111")
    expect(row).to_contain_text("月 08:00-19:00")
    row.get_by_role("button", name=re.compile("を編集")).click()
    expect(page.get_by_role("heading", name="回線の変更")).to_be_visible()
    monday = page.locator("#line-hours-live-0")
    expect(monday).to_have_value("08:00-19:00")
    monday.fill("8時から")
    page.get_by_role("button", name="保存する").click()
    _field_error(monday, "「08:30-17:15」の形で入力してください")
    expect(monday).to_be_focused()
    monday.fill("08:30-19:00")
    page.locator("#line-hours-live-5").fill("")  # Saturday: no live service
    page.get_by_role("button", name="保存する").click()
    _saved(page, "回線を保存しました")
    page.reload()
    row = _row(page, "回線", "0339811111")
    expect(row).to_contain_text("月 08:30-19:00")
    expect(row).not_to_contain_text("土 08:00-19:00")
    _latest_change(page, "回線を保存", "0339811111")


@pytest.mark.req("F-1.1.4", "F-1.2.1")
def test_admin_adds_a_closure_day_then_deletes_it_after_confirming(
    page: Page, demo_server: DemoServer
) -> None:
    _open(page, demo_server, "closures")
    page.get_by_label("日付").fill("2027-03-15")
    page.get_by_role("button", name="追加する").click()
    _field_error(page.get_by_label("理由"), "理由を100文字以内で入力してください")
    page.get_by_label("理由").fill("電話設備の保守")
    page.get_by_role("checkbox", name="有人応対").check()
    page.get_by_role("button", name="追加する").click()
    _saved(page, "休業日を追加しました")
    page.reload()
    row = _row(page, "休業日", "2027-03-15")
    expect(row).to_contain_text("電話設備の保守")
    expect(row).to_contain_text("有人応対・交換（取次ぎ）")
    expect(row).to_contain_text("すべての回線")
    _latest_change(page, "休業日を追加", "2027-03-15")

    answers: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        answers.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button", name=re.compile("を削除")).click()
    expect(row).to_be_visible()
    assert answers == ["2027-03-15 の休業日 を削除します。よろしいですか？"]
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name=re.compile("を削除")).click()
    _saved(page, "削除しました")
    expect(_row(page, "休業日", "2027-03-15")).to_have_count(0)
    _latest_change(page, "休業日を削除", "2027-03-15")


@pytest.mark.req("F-1.2.2", "F-1.2.6")
def test_admin_uploads_guidance_and_a_non_audio_file_gets_a_japanese_error(
    page: Page, demo_server: DemoServer, tmp_path: Path
) -> None:
    _open(page, demo_server, "sounds")
    page.get_by_label("キー").fill("night_notice")
    page.get_by_label("内容").fill("夜間のご案内")
    not_audio = tmp_path / "notice.wav"
    not_audio.write_text("これは音声ではありません", encoding="utf-8")
    file_box = page.get_by_label("音声ファイル（WAV）")
    file_box.set_input_files(str(not_audio))
    page.get_by_role("button", name="アップロードする").click()
    _field_error(file_box, "音声ファイル（WAV形式・リニアPCM）をアップロードしてください")
    audio = tmp_path / "night.wav"
    audio.write_bytes(_wav())
    file_box.set_input_files(str(audio))
    page.get_by_role("button", name="アップロードする").click()
    _saved(page, "ガイダンス音声を登録しました")
    page.reload()
    row = _row(page, "ガイダンス音声", "night_notice")
    expect(row).to_contain_text("夜間のご案内")
    expect(row).to_contain_text("0.5秒")
    _latest_change(page, "音声をアップロード", "night_notice")


@pytest.mark.req("F-1.3.1", "F-1.3.3")
def test_admin_edits_a_queues_skills(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "queues")
    row = _row(page, "待ち行列", "q_general")
    row.get_by_role("button", name=re.compile("を編集")).click()
    expect(page.get_by_label("待ち行列ID")).to_have_value("q_general")
    level = page.get_by_label("必要なレベル（1〜9）")
    level.fill("12")
    page.get_by_role("button", name="保存する").click()
    _field_error(level, "1〜9の整数で指定してください")
    level.fill("2")
    page.get_by_label("必要なスキルグループ").fill("general_plus")
    page.get_by_role("button", name="保存する").click()
    _saved(page, "待ち行列を保存しました")
    page.reload()
    expect(_row(page, "待ち行列", "q_general")).to_contain_text("general_plus（2以上）")
    _latest_change(page, "待ち行列を保存", "q_general")


@pytest.mark.req("F-1.5.3", "F-1.6.3", "F-1.6.1")
def test_admin_adds_a_sorting_rule(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "rules")
    page.get_by_label("名称").fill("税の問合せ")
    page.get_by_label("調べる項目").select_option("subject")
    page.get_by_label("条件（必須）", exact=True).fill("([")
    page.get_by_label("振り分け先スキル").fill("tax")
    page.get_by_role("button", name="保存する").click()
    pattern = page.get_by_label("条件（必須）", exact=True)
    expect(pattern).to_have_attribute("aria-invalid", "true")
    pattern.fill("住民税|固定資産税")
    page.get_by_label("優先度（小さいほど先）").fill("10")
    page.get_by_role("button", name="保存する").click()
    _saved(page, "振り分けルールを保存しました")
    page.reload()
    row = _row(page, "ルール", "税の問合せ")
    expect(row).to_contain_text("住民税|固定資産税")
    expect(row).to_contain_text("tax")
    expect(row).to_contain_text("有効")
    _latest_change(page, "ルールを追加", "")


@pytest.mark.req("F-2.1.3", "F-2.1.7")
def test_admin_imports_a_faq_csv_and_a_broken_one_is_refused(
    page: Page, demo_server: DemoServer, tmp_path: Path
) -> None:
    _open(page, demo_server, "faq")
    header = "faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff\n"
    broken = tmp_path / "broken.csv"
    broken.write_text(header + "Z9001,ごみ,,,,,,perhaps\n", encoding="utf-8")
    file_box = page.get_by_label("FAQのCSVファイル")
    file_box.set_input_files(str(broken))
    page.get_by_role("button", name="取り込む").click()
    _field_error(file_box, "2行目（Z9001）［question］：入力してください。")
    good = tmp_path / "gomi.csv"
    good.write_text(
        header + "Z9001,ごみ,粗大ごみ,粗大ごみの出し方は？,受付センターへ申し込みます。,,粗大,no\n",
        encoding="utf-8",
    )
    file_box.set_input_files(str(good))
    page.get_by_role("button", name="取り込む").click()
    _saved(page, "FAQを取り込みました（追加 1件・変更 0件・変更なし 0件）")
    page.get_by_label("ID・質問・大分類で絞り込み").fill("Z9001")
    page.get_by_role("button", name="絞り込む").click()
    expect(_row(page, "FAQ", "Z9001")).to_contain_text("粗大ごみの出し方は？")
    _latest_change(page, "FAQを取込み", "gomi.csv")


@pytest.mark.req("F-2.1.7")
def test_admin_edits_a_department(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "departments")
    row = _row(page, "部署", "D02")
    row.get_by_role("button", name=re.compile("を編集")).click()
    expect(page.get_by_label("部署ID")).to_have_value("D02")
    extension = page.get_by_label("内線番号")
    extension.fill("内線")
    page.get_by_role("button", name="保存する").click()
    _field_error(extension, "内線番号は数字で入力してください")
    extension.fill("2199")
    page.get_by_role("button", name="保存する").click()
    _saved(page, "部署を保存しました")
    page.reload()
    expect(_row(page, "部署", "D02")).to_contain_text("2199")
    _latest_change(page, "部署を変更", "D02")


@pytest.mark.req("F-2.2.3", "N-PRIV-2")
def test_admin_sets_recording_retention(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "retention")
    page.get_by_label("分類（大分類）").fill("税金")
    days = page.get_by_label("保存日数")
    days.fill("0")
    page.get_by_role("button", name="保存する").click()
    _field_error(days, "1〜36500の日数を指定してください")
    days.fill("400")
    page.get_by_role("button", name="保存する").click()
    _saved(page, "保存期間を設定しました")
    page.reload()
    expect(_row(page, "保存期間", "税金")).to_contain_text("400日")
    _latest_change(page, "保存期間を設定", "*/税金")


@pytest.mark.req("F-2.4.4")
def test_admin_sets_report_recipients(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "recipients")
    address = page.get_by_label("メールアドレス")
    address.fill("soudan@@city")
    page.get_by_role("button", name="追加する").click()
    _field_error(address, "メールアドレスの形式が正しくありません")
    address.fill("soudan@city.toshima.lg.jp")
    page.get_by_label("宛名").fill("区民相談課")
    page.get_by_role("button", name="追加する").click()
    _saved(page, "送付先を追加しました")
    page.reload()
    expect(_row(page, "日報の送付先", "soudan@city.toshima.lg.jp")).to_contain_text("区民相談課")
    _latest_change(page, "送付先を追加", "soudan@city.toshima.lg.jp")


@pytest.mark.req("N-USE-1")
def test_shortcuts_move_between_form_list_and_history(page: Page, demo_server: DemoServer) -> None:
    _open(page, demo_server, "queues")
    expect(page.locator(".shortcuts")).to_contain_text("Alt+N 新規入力")
    expect(page.locator(".shortcuts kbd")).to_have_count(8)
    page.keyboard.press("Alt+n")
    expect(page.get_by_label("待ち行列ID")).to_be_focused()
    page.keyboard.press("Alt+l")
    expect(page.locator("#list")).to_be_focused()
    page.keyboard.press("Alt+h")
    expect(page.locator("#changes")).to_be_focused()
    page.keyboard.press("Alt+m")
    expect(page).to_have_url(f"{demo_server.url}/admin")


@pytest.mark.req("N-SEC-1", "N-SEC-7")
def test_operator_gets_403_on_admin(demo_server: DemoServer, new_context: NewContext) -> None:
    page = new_context().new_page()
    sign_in(page, demo_server, "op1")
    for path in ("/admin", "/admin/settings/lines"):
        response = page.goto(demo_server.url + path)
        assert response is not None
        assert response.status == 403
    expect(page.get_by_role("main")).to_contain_text("権限")
    page.goto(demo_server.url + "/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.evaluate(
        """async (token) => {
            const r = await fetch("/api/callpath/closures", {method: "POST",
              headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
              body: JSON.stringify({day: "2027-01-04", reason_ja: "x", services: ["live"]})});
            return [r.status, (await r.json()).error];
        }""",
        token,
    )
    assert answer == [403, "permission-denied"]


PAGES = ["/admin", *(s.path for s in SCREENS)]
WRONG_VALUE = {  # a wrong value per screen, to check the page with its field messages shown
    "lines": ("#line-hours-live-0", "8時から"),
    "closures": ("#closure-reason_ja", ""),
    "menus": ("#menu-retries", "0"),
    "sounds": ("#sound-sound_key", "夜間"),
    "queues": ("#queue-min_level", "12"),
    "agents": ("#agent-extension", "内線"),
    "emergency": ("#emergency-overflow_number", "でんわ"),
    "faq": ("#faq-question", ""),
    "scripts": ("#script-title", ""),
    "departments": ("#dept-extension", "内線"),
    "rules": ("#rule-pattern", "(["),
    "retention": ("#retention-days", "0"),
    "recipients": ("#recipient-address", "soudan@@city"),
}


def _violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return list(results.response["violations"])


def _summary(violations: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.req("N-A11Y-1")
@pytest.mark.parametrize("path", PAGES)
def test_settings_page_has_no_axe_violations_and_fits_640px(
    admin_context: BrowserContext, demo_server: DemoServer, path: str
) -> None:
    page = admin_context.new_page()
    page.goto(demo_server.url + path)
    violations = _violations(page)
    assert violations == [], _summary(violations)
    slug = path.rsplit("/", 1)[-1]
    if slug in WRONG_VALUE:  # the same page showing a field message
        selector, value = WRONG_VALUE[slug]
        page.locator(selector).fill(value)
        page.locator("form[data-primary] button[type=submit]").click()
        expect(page.locator("form[data-primary] [aria-invalid=true]").first).to_be_visible()
        violations = _violations(page)
        assert violations == [], _summary(violations)
    page.set_viewport_size({"width": 640, "height": 800})
    page.goto(demo_server.url + path)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 640, f"{path} scrolls horizontally at 640 px ({width} px)"
    page.close()


@pytest.mark.req("N-USE-1")
@pytest.mark.parametrize(
    ("path", "name"), [("/admin", "admin-menu"), ("/admin/settings/lines", "admin-lines")]
)
def test_settings_screenshots_saved(
    admin_context: BrowserContext, demo_server: DemoServer, path: str, name: str
) -> None:
    page = admin_context.new_page()
    page.goto(demo_server.url + path)
    page.evaluate("document.fonts.ready")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    page.close()


@pytest.mark.req("N-A11Y-1", "F-2.4.2")
def test_city_summary_view_has_no_axe_violations_and_fits_640px(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    sign_in(page, demo_server, "city")
    page.goto(f"{demo_server.url}/city?view=summary")
    expect(page.get_by_role("link", name="報告・集計")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("table", name=re.compile("^業務種別ごとの件数"))).to_be_visible()
    violations = _violations(page)
    assert violations == [], _summary(violations)
    page.set_viewport_size({"width": 640, "height": 800})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 640
