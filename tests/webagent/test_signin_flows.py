"""Signing in, out and changing the password in a real browser, with the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.webagent.browsing import DemoServer, NewContext, sign_in, submit_signin

pytestmark = pytest.mark.browser

LIVE_ONLINE = "接続中（リアルタイム）"


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_operator_signs_in_sees_live_status_and_signs_out(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    page.goto(f"{demo_server.url}/")
    expect(page).to_have_url(re.compile(r"/signin\?next=/$"))
    expect(page.get_by_role("heading", name="サインイン", level=1)).to_be_visible()
    page.get_by_label("ユーザーID").fill("op1")
    page.get_by_label("パスワード").fill("Madoguchi-demo-2026")
    page.get_by_role("button", name="サインイン").press("Enter")

    expect(page).to_have_url(f"{demo_server.url}/")
    expect(page.get_by_role("heading", name="ホーム", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("青木 オペレーター さん")
    # The Socket.IO client connects over a websocket, allowed by the page's CSP.
    expect(page.locator("#connection")).to_have_text(re.compile(LIVE_ONLINE), timeout=10_000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")

    page.get_by_role("button", name="サインアウト").click()
    expect(page).to_have_url(f"{demo_server.url}/signin")
    page.goto(f"{demo_server.url}/")
    expect(page).to_have_url(re.compile(r"/signin\?next=/$"))


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_wrong_password_shows_japanese_error_and_stays_on_signin(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    submit_signin(page, demo_server, "qa", "not-the-password-1")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("ユーザーIDまたはパスワードが正しくありません")
    expect(page).to_have_url(f"{demo_server.url}/signin")
    expect(page.get_by_label("ユーザーID")).to_have_value("qa")
    expect(page.get_by_label("パスワード")).to_have_value("")
    expect(page.get_by_role("button", name="サインアウト")).to_have_count(0)


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_password_change_with_mismatched_confirmation_shows_field_error(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    sign_in(page, demo_server, "scheduler")
    page.get_by_role("link", name="パスワード変更").first.click()
    expect(page.get_by_role("heading", name="パスワード変更", level=1)).to_be_visible()

    page.get_by_label("現在のパスワード").fill("Madoguchi-demo-2026")
    page.get_by_label("新しいパスワード", exact=True).fill("Sakura-Tsubame-2027")
    page.get_by_label("新しいパスワード（確認）").fill("Sakura-Tsubame-2028")
    page.get_by_label("新しいパスワード（確認）").press("Enter")

    confirm = page.get_by_label("新しいパスワード（確認）")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_be_focused()
    expect(confirm).to_have_accessible_description(re.compile("確認用のパスワードが一致しません"))
    expect(page.get_by_role("status")).to_have_count(0)

    # The old password still works: nothing was changed.
    page.context.clear_cookies()
    sign_in(page, demo_server, "scheduler")
    expect(page.get_by_role("heading", name="ホーム", level=1)).to_be_visible()


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_password_change_with_weak_password_names_the_rule(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    sign_in(page, demo_server, "city")
    page.goto(f"{demo_server.url}/account/password")
    page.get_by_label("現在のパスワード").fill("Madoguchi-demo-2026")
    page.get_by_label("新しいパスワード", exact=True).fill("short")
    page.get_by_label("新しいパスワード（確認）").fill("short")
    page.get_by_role("button", name="変更する").click()

    new = page.get_by_label("新しいパスワード", exact=True)
    expect(new).to_have_attribute("aria-invalid", "true")
    expect(new).to_be_focused()
    expect(new).to_have_accessible_description(re.compile("12文字以上にしてください"))
