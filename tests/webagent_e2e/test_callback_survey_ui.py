"""Call-backs from the desk's work queue and the survey hand-off, in Chromium against the running
call path: the agent never sees the citizen's number, and closing the call-back erases it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from crm.workqueue.models import WorkItem
from tests.callpath.harness import CALLER, until
from tests.callpath_callback.support import configure
from tests.webagent.browsing import NewContext
from tests.webagent_e2e.live import LiveServer, no_axe_violations, open_desk, sign_in, state_pill

pytestmark = pytest.mark.browser


def _request_callback(server: LiveServer) -> str:
    """A caller waits in the juminhyo queue and presses 1 at the call-back offer; the contact."""
    rig = server.rig

    async def request() -> str:
        await configure(rig, callback_after_s=60)
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("callback.offered", contact)
        await call.wait(1).press("1")
        await rig.event("callback.requested", contact)
        return contact

    contact: str = server.run(request)
    return contact


def _item(server: LiveServer, contact: str) -> WorkItem:
    def find() -> WorkItem | None:
        with server.rig.ctx.db.session() as session:
            stmt = select(WorkItem).where(col(WorkItem.contact_id) == contact)
            return session.exec(stmt).first()

    found: WorkItem = server.run(lambda: until(find, what="the call-back item"))
    return found


@pytest.mark.req("R-ITEMS", "F-2.1.5", "N-USE-1")
def test_agent_takes_dials_and_closes_a_callback_from_the_work_queue(
    server: LiveServer, desk_context: NewContext
) -> None:
    contact = _request_callback(server)
    page = desk_context().new_page()
    sign_in(page, server, "op1")
    open_desk(page, server)
    page.keyboard.press("Alt+1")  # ready: the call-back takes the agent out of distribution
    state_pill(page, "ready")
    row = page.locator("#wq-body tr", has_text="↩ 折り返し")
    expect(row).to_have_count(1)
    assert CALLER not in page.content()  # the number never reaches the page
    row.get_by_role("button", name="を取る").click()
    expect(page.locator("#wq-status")).to_contain_text("担当にしました")
    expect(row.get_by_role("button", name="に発信する")).to_be_visible()
    page.keyboard.press("Alt+l")
    expect(page.locator("#wq-status")).to_contain_text("お客様につながりました")
    state_pill(page, "not_ready")
    expect(page.locator("#agent-state")).to_contain_text("折り返し発信中")
    server.event("callback.result", contact, decided_by="switch")
    no_axe_violations(page)
    assert CALLER not in page.content()
    row.get_by_role("combobox").select_option("reached")
    page.keyboard.press("Alt+u")
    expect(page.locator("#wq-status")).to_contain_text("番号は消去されました")
    expect(page.locator("#wq-body tr", has_text="↩ 折り返し")).to_have_count(0)
    item = _item(server, contact)
    assert (item.state, item.result, item.callback_number_enc) == ("done", "reached", None)


@pytest.mark.req("N-SURVEY-1", "N-USE-1")
def test_agent_hands_the_caller_to_the_survey_and_the_score_is_logged(
    server: LiveServer, desk_context: NewContext
) -> None:
    page = desk_context().new_page()
    sign_in(page, server, "op1")
    open_desk(page, server)
    expect(page.locator("#survey-btn")).to_be_disabled()
    page.keyboard.press("Alt+1")
    state_pill(page, "ready")
    call = server.call(digits="2")
    contact = server.contact_of(call)
    expect(page.locator("#pop-contact")).to_have_text(contact)
    page.keyboard.press("Alt+a")
    state_pill(page, "on_call")
    server.event("contact.answered", contact)
    expect(page.locator("#survey-btn")).to_be_enabled()
    page.keyboard.press("Alt+q")
    expect(page.locator("#survey-result")).to_contain_text("アンケートへ案内しました")
    state_pill(page, "wrap_up")
    server.event("survey.offered", contact, mode="handoff")
    server.run(lambda: call.press("4"))
    answered = server.event("survey.answered", contact)
    assert '"score": 4' in answered.payload
