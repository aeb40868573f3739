"""A system administrator's first sign-in: TOTP enrolment, then user administration."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.webagent.browsing import DemoServer, NewContext, TotpState, sign_in, submit_signin

pytestmark = pytest.mark.browser

SECRET_RE = re.compile(r"^[A-Z2-7]{16,}$")


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_admin_enrols_totp_then_manages_users_with_field_errors(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    submit_signin(page, demo_server, "admin", "Madoguchi-demo-2026")
    expect(page).to_have_url(f"{demo_server.url}/account/totp")
    expect(page.get_by_role("heading", name="二要素認証の登録", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="二要素認証の設定用QRコード")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert SECRET_RE.match(secret), secret

    # Until the second factor is confirmed, home sends the user back to enrolment.
    page.goto(f"{demo_server.url}/")
    expect(page).to_have_url(f"{demo_server.url}/account/totp")
    assert page.locator("#totp-secret").inner_text().strip() == secret

    code_box = page.get_by_label("確認コード（6桁）")
    code_box.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    code_box.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("確認コード（6桁）")).to_have_attribute("aria-invalid", "true")

    state = TotpState(secret=secret, last_step=-1)
    page.get_by_label("確認コード（6桁）").fill(state.next_code())
    page.get_by_label("確認コード（6桁）").press("Enter")
    expect(page).to_have_url(f"{demo_server.url}/")
    demo_server.totp["admin"] = state
    expect(page.get_by_role("main")).to_contain_text("工藤 システム管理者 さん")

    page.get_by_role("link", name="ユーザー管理").click()
    expect(page).to_have_url(f"{demo_server.url}/admin/users")
    table = page.get_by_role("table", name="登録ユーザー一覧")
    for username in ("op1", "leader", "sv", "admin", "security"):
        expect(table.get_by_role("cell", name=username, exact=True)).to_be_visible()
    admin_row = table.get_by_role("row").filter(has_text="工藤 システム管理者")
    expect(admin_row).to_contain_text("登録済")
    expect(admin_row.get_by_role("button")).to_have_count(0)  # no way to lock oneself out
    expect(table.get_by_role("button", name="op1 を無効にする")).to_be_visible()

    # First attempt: a short password gets a Japanese message on the field.
    page.get_by_label("ユーザーID").fill("op9")
    page.get_by_label("氏名（表示名）").fill("中村 オペレーター")
    page.get_by_label("初期パスワード").fill("short1")
    page.get_by_role("checkbox", name="オペレーター").check()
    page.get_by_role("button", name="追加する").click()
    password_box = page.get_by_label("初期パスワード")
    expect(password_box).to_have_attribute("aria-invalid", "true")
    expect(password_box).to_be_focused()
    expect(password_box).to_have_accessible_description(re.compile("12文字以上にしてください"))
    expect(page.get_by_label("ユーザーID")).to_have_value("op9")
    expect(table.get_by_role("cell", name="op9", exact=True)).to_have_count(0)

    # Second attempt, corrected.
    page.get_by_label("初期パスワード").fill("Hikari-Kaze-2026!")
    page.get_by_role("checkbox", name="オペレーター").check()
    page.get_by_role("button", name="追加する").click()
    expect(page).to_have_url(f"{demo_server.url}/admin/users?created=1")
    expect(page.get_by_role("status")).to_contain_text("ユーザーを登録しました")
    new_row = table.get_by_role("row").filter(has=page.get_by_role("cell", name="op9", exact=True))
    expect(new_row).to_contain_text("中村 オペレーター")
    expect(new_row).to_contain_text("オペレーター")
    expect(new_row).to_contain_text("有効")


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_enrolled_supervisor_must_pass_totp_verification_on_next_signin(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    first = new_context().new_page()
    submit_signin(first, demo_server, "sv", "Madoguchi-demo-2026")
    expect(first).to_have_url(f"{demo_server.url}/account/totp")
    state = TotpState(secret=first.locator("#totp-secret").inner_text().strip(), last_step=-1)
    first.get_by_label("確認コード（6桁）").fill(state.next_code())
    first.get_by_role("button", name="登録する").click()
    expect(first).to_have_url(f"{demo_server.url}/")

    page = new_context().new_page()
    submit_signin(page, demo_server, "sv", "Madoguchi-demo-2026")
    expect(page).to_have_url(f"{demo_server.url}/signin/totp")
    expect(page.get_by_role("heading", name="二要素認証", level=1)).to_be_visible()
    # Protected pages stay closed until the code is given.
    page.goto(f"{demo_server.url}/")
    expect(page).to_have_url(f"{demo_server.url}/signin/totp")

    # The code just used for enrolment is refused (no replay).
    used = pyotp.TOTP(state.secret).at(state.last_step * 30)
    page.get_by_label("確認コード（6桁）").fill(used)
    page.get_by_label("確認コード（6桁）").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(f"{demo_server.url}/signin/totp")

    page.get_by_label("確認コード（6桁）").fill(state.next_code())
    page.get_by_label("確認コード（6桁）").press("Enter")
    expect(page).to_have_url(f"{demo_server.url}/")
    expect(page.get_by_role("main")).to_contain_text("江藤 スーパーバイザー さん")


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_user_stopped_at_totp_enrolment_can_sign_out(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    submit_signin(page, demo_server, "manager", "Madoguchi-demo-2026")
    expect(page).to_have_url(f"{demo_server.url}/account/totp")
    page.get_by_role("button", name="サインアウト").click()
    expect(page).to_have_url(f"{demo_server.url}/signin")
    page.goto(f"{demo_server.url}/account/totp")
    expect(page).to_have_url(re.compile(r"/signin\?next=/account/totp$"))


@pytest.mark.req("N-SEC-1", "N-USE-1")
def test_audit_log_shows_actions_and_outcomes_in_japanese(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    stranger = new_context().new_page()
    submit_signin(stranger, demo_server, "op1", "wrong-password-0")
    expect(stranger.get_by_role("alert")).to_be_visible()

    page = new_context().new_page()
    sign_in(page, demo_server, "security")
    page.get_by_role("link", name="監査ログ").click()
    expect(page.get_by_role("status")).to_contain_text("改ざん検査：正常")
    table = page.get_by_role("table", name="最新200件（新しい順）")
    failed = table.get_by_role("row").filter(has_text="op1").filter(has_text="失敗").first
    expect(failed).to_contain_text("サインイン")
    expect(failed.locator("code")).to_have_text("sign-in")
