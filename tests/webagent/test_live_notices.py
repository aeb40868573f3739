"""A leader's notice reaches an operator's open home page live (Socket.IO in real browsers)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.webagent.browsing import DemoServer, NewContext, sign_in

pytestmark = pytest.mark.browser

LIVE_ONLINE = re.compile("接続中（リアルタイム）")


@pytest.mark.req("N-USE-1")
def test_leader_notice_sent_with_ctrl_enter_appears_live_for_operator(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    operator = new_context().new_page()
    sign_in(operator, demo_server, "op2")
    expect(operator.locator("#connection")).to_have_text(LIVE_ONLINE, timeout=10_000)
    expect(operator.get_by_text("まだお知らせはありません。")).to_be_visible()

    leader = new_context().new_page()
    sign_in(leader, demo_server, "leader")
    expect(leader.locator("#connection")).to_have_text(LIVE_ONLINE, timeout=10_000)
    text = f"窓口3番は12時から休止します（{uuid.uuid4().hex[:6]}）"
    box = leader.get_by_role("textbox", name=re.compile("本文"))
    box.focus()
    leader.keyboard.type(text)
    leader.keyboard.press("Control+Enter")

    expect(leader.locator("#announce-result")).to_have_text(re.compile("送信しました"))
    expect(box).to_have_value("")
    feed = operator.locator("#announcements")
    expect(feed.get_by_text(text)).to_be_visible(timeout=5_000)
    expect(feed.locator("li").first).to_contain_text(text)
    expect(operator.get_by_text("まだお知らせはありません。")).to_be_hidden()
    expect(feed.locator("li").first.locator("time")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))


@pytest.mark.req("N-USE-1")
def test_empty_notice_is_refused_with_japanese_message(
    demo_server: DemoServer, new_context: NewContext
) -> None:
    leader = new_context().new_page()
    sign_in(leader, demo_server, "leader")
    box = leader.get_by_role("textbox", name=re.compile("本文"))
    box.fill("   ")
    box.press("Control+Enter")
    expect(leader.locator("#announce-result")).to_have_text(
        re.compile("お知らせの本文を入力してください")
    )
    expect(box).to_have_value("   ")
