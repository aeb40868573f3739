"""The desk's transfer buttons (contract 1) and the wallboard's supervisor controls (contract 2,
force not ready, forced end of wrap-up) in Chromium against the running call path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from starlette.routing import Match

from switch.callpath import service
from tests.webagent.browsing import NewContext
from tests.webagent_e2e.live import (
    LiveServer,
    no_axe_violations,
    open_desk,
    open_wallboard,
    sign_in,
    state_pill,
)

pytestmark = pytest.mark.browser

SV_EXTENSION = "1090"


def _route_exists(server: LiveServer, path: str, method: str = "POST") -> bool:
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    web = getattr(server.rig.app, "other_asgi_app", server.rig.app)  # inside Socket.IO's app
    return any(r.matches(scope)[0] is Match.FULL for r in web.routes)


def _require(server: LiveServer, path: str, contract: str) -> None:
    assert _route_exists(server, path), f"{contract}: POST {path} is missing from the app"


def _desk(new: NewContext, server: LiveServer) -> Page:
    page = new().new_page()
    sign_in(page, server, "op1")
    open_desk(page, server)
    return page


def _board(new: NewContext, server: LiveServer) -> Page:
    page = new().new_page()
    sign_in(page, server, "sv")
    open_wallboard(page, server)
    return page


def _on_a_call(page: Page, server: LiveServer) -> tuple[Any, str]:
    """op1 ready, a tax call offered and accepted; the caller and its contact id."""
    page.keyboard.press("Alt+1")
    state_pill(page, "ready")
    call = server.call(digits="2")
    contact = server.contact_of(call)
    expect(page.locator("#pop-contact")).to_have_text(contact)
    page.keyboard.press("Alt+a")
    state_pill(page, "on_call")
    server.event("contact.answered", contact)
    return call, contact


@pytest.mark.req("F-2.2.1", "N-USE-1")
def test_transfer_buttons_start_and_cancel_a_consultation_and_tell_errors(
    server: LiveServer, desk_context: NewContext
) -> None:
    _require(server, "/api/agent/transfer", "contract 1 (transfer)")
    page = _desk(desk_context, server)
    page.keyboard.press("Alt+t")  # nothing chosen yet
    expect(page.locator("#transfer-result")).to_contain_text("転送先の部署を選んでください")
    page.get_by_label("税務課 住民税係 を転送先にする").check()
    page.keyboard.press("Alt+t")  # no call: the server's Japanese message
    expect(page.locator("#transfer-result")).to_contain_text("⚠")

    call, contact = _on_a_call(page, server)
    page.get_by_label("税務課 住民税係 を転送先にする").check()
    page.get_by_role("button", name=re.compile("^相談転送")).click()
    expect(page.locator("#transfer-result")).to_contain_text("相談転送を開始しました")
    state = page.locator("#transfer-state")
    expect(state).to_have_attribute("data-state", "consulting")
    expect(state).to_contain_text("相談中（")
    page.keyboard.press("Alt+x")
    expect(page.locator("#transfer-result")).to_contain_text("転送を取り消しました")
    expect(state).to_have_attribute("data-state", "cancelled")
    expect(page.locator("#h-handoff")).to_have_value("")  # a cancelled consultation hands nothing
    # Consult again and complete: the caller goes to the department, the agent to wrap-up, and
    # the history form already names the department the call was handed to (R-ITEMS).
    page.keyboard.press("Alt+t")
    expect(page.locator("#transfer-result")).to_contain_text("相談転送を開始しました")
    expect(state).to_have_attribute("data-state", "consulting")
    page.keyboard.press("Alt+o")
    expect(page.locator("#transfer-result")).to_contain_text("転送を完了しました")
    expect(state).to_have_attribute("data-state", "completed")
    state_pill(page, "wrap_up")
    expect(page.locator("#h-outcome")).to_have_value("handoff")
    assert page.locator("#h-handoff").input_value() != ""
    transferred = server.event("contact.transferred", contact, outcome="completed")
    assert '"attended"' in (transferred.payload or "")
    server.hang_up(call)


def _supervisor_phone(server: LiveServer) -> None:
    """The supervisor's own phone, configured like an agent's extension, registered."""

    async def configure() -> None:
        def save() -> None:
            with server.rig.ctx.db.session() as session:
                service.save_agent(
                    session,
                    data={"username": "sv", "extension": SV_EXTENSION, "skills": {}},
                    actor="test",
                )

        await server.rig.ctx.db.run(save)
        server.rig.fs.register_agent(SV_EXTENSION, auto_answer=True, answer_delay=0.5)
        await server.rig.path.load()

    server.run(configure)


@pytest.mark.req("F-2.2.1", "N-USE-1")
def test_supervisor_listens_then_barges_into_an_agents_call_from_the_wallboard(
    server: LiveServer, desk_context: NewContext
) -> None:
    _require(server, "/api/callpath/supervise", "contract 2 (supervision)")
    _supervisor_phone(server)
    page = _desk(desk_context, server)
    board = _board(desk_context, server)
    call, contact = _on_a_call(page, server)
    row = board.locator('#agents tr[data-agent="op1"]')
    expect(row).to_contain_text(contact)
    row.get_by_role("button", name="op1 の通話を傍聴").click()
    expect(board.locator("#sv-result")).to_contain_text("傍聴を開始しました")
    expect(row).to_contain_text("傍聴中：sv")
    row.get_by_role("button", name="op1 の通話を割込み").click()
    expect(board.locator("#sv-result")).to_contain_text("割込みを開始しました")
    expect(row).to_contain_text("割込み中：sv")
    expect(row.get_by_role("button", name="op1 の通話を割込み")).to_have_attribute(
        "aria-pressed", "true"
    )
    server.hang_up(call)
    state_pill(page, "wrap_up")


@pytest.mark.req("F-2.2.1", "N-USE-1")
def test_supervisor_makes_a_ready_agent_not_ready_from_the_wallboard(
    server: LiveServer, desk_context: NewContext
) -> None:
    _require(server, "/api/callpath/agents/not-ready", "contract 2 (force not ready)")
    page = _desk(desk_context, server)
    board = _board(desk_context, server)
    page.keyboard.press("Alt+1")
    state_pill(page, "ready")
    row = board.locator('#agents tr[data-agent="op1"]')
    board.get_by_label("強制操作の理由").fill("研修の呼出し")
    row.get_by_role("button", name="op1 を受付不可にする").click()
    expect(board.locator("#sv-result")).to_contain_text("受付不可にしました")
    state_pill(page, "not_ready")
    # the agent sees why (the typed reason is in the audit trail)
    expect(page.locator("#agent-state")).to_contain_text("離席（管理者の指示）")
    expect(row).to_have_attribute("data-state", "not_ready")


@pytest.mark.req("F-2.1.4", "F-2.2.1", "N-USE-1")
def test_supervisor_ends_an_agents_wrap_up_from_the_wallboard(
    server: LiveServer, desk_context: NewContext
) -> None:
    _require(server, "/api/callpath/wrapup/force", "forced end of wrap-up")
    page = _desk(desk_context, server)
    board = _board(desk_context, server)
    call, _contact = _on_a_call(page, server)
    row = board.locator('#agents tr[data-agent="op1"]')
    expect(row.get_by_role("button", name=re.compile("強制終了"))).to_have_count(0)
    server.hang_up(call)
    state_pill(page, "wrap_up")
    expect(row).to_have_attribute("data-state", "wrap_up")
    board.keyboard.press("Alt+j")
    force = row.get_by_role("button", name="op1 の後処理を強制終了する")
    expect(force).to_be_focused()
    no_axe_violations(board)
    board.get_by_label("強制操作の理由").fill("お客様対応が長引いたため")
    force.click()
    expect(board.locator("#sv-result")).to_contain_text("後処理を終了しました")
    state_pill(page, "not_ready")
    expect(page.locator("#agent-state")).to_contain_text("離席（後処理の強制終了）")
    expect(row).to_contain_text("後処理の強制終了")
