"""Call-backs (折り返し架電, R-ITEMS): offered in the queue, requested by DTMF, taken from the
shared work queue, dialled by the agent and closed; the number lives only in the sealed task."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crm.workqueue.service import number_box
from realtime.timeutil import utcnow
from switch.acd.engine import Stage
from switch.callpath.callback import long_wait, outcome_of
from tests.callpath.harness import CALLER, MAIN, Rig, running, scenario, until
from tests.callpath_callback.support import (
    QUEUE,
    callback_item,
    configure,
    number_leaks,
    payload,
    work_items,
)


async def request_callback(rig: Rig) -> tuple[str, str]:
    """A caller waits in the queue, hears the offer, presses garbage, then 1; (contact, item)."""
    call = await rig.call(digits="1")  # menu 1 is the queue; that 1 is not an answer to the offer
    contact = await rig.contact_of(call)
    await rig.event("callback.offered", contact)
    await call.wait(2).press("7#9")
    await call.wait(1)
    assert rig.path.stage_of(contact) is Stage.QUEUED  # the menu's 1 and the garbage: ignored
    await call.press("1")
    await rig.event("callback.requested", contact)
    item = await callback_item(rig, contact)
    await until(lambda: contact not in rig.path.calls, what="the call to be finished")
    return contact, item.id


@pytest.mark.req("R-ITEMS")
@scenario
async def test_caller_pressing_1_after_the_offer_leaves_the_queue_with_a_sealed_callback_task(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, callback_after_s=60)
        before = utcnow()
        contact, item_id = await request_callback(rig)
        ended = await rig.event("contact.ended", contact)
        assert payload(ended) == {"by": "system", "talk_s": 0.0, "hold_s": 0.0}
        types = rig.types(contact)
        assert "contact.abandoned" not in types
        assert types.index("queue.joined") < types.index("callback.offered")
        assert rig.path.engine.waiting(QUEUE) == []
        (item,) = work_items(rig, contact)
        assert item.id == item_id
        assert (item.kind, item.state, item.skill, item.line) == (
            "callback",
            "queued",
            "juminhyo",
            MAIN,
        )
        assert item.callback_number_enc is not None
        assert CALLER not in item.callback_number_enc
        box = number_box(rig.ctx.settings.secret_key.get_secret_value())
        assert box.open(item.callback_number_enc) == CALLER
        due = item.due_at - before
        assert dt.timedelta(minutes=239) < due < dt.timedelta(minutes=241)
        channels = rig.fs.server.switch.channels.values()
        assert not any(ch.alive and ch.profile.caller_id_number == CALLER for ch in channels)
        assert number_leaks(rig) == []


@pytest.mark.req("R-ITEMS")
@scenario
async def test_caller_hanging_up_during_the_offer_is_an_abandon_without_a_task(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, callback_after_s=60)
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("callback.offered", contact)
        await call.hangup()
        await rig.event("contact.abandoned", contact, stage="queue")
        await until(lambda: contact not in rig.path.calls, what="the call to be finished")
        assert "callback.requested" not in rig.types(contact)
        assert work_items(rig, contact) == []


@pytest.mark.req("R-ITEMS")
@scenario
async def test_queue_without_a_threshold_never_offers_and_1_in_the_queue_is_ignored(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("queue.joined", contact)
        await call.wait(2).press("1")
        await call.wait(2)
        assert rig.path.stage_of(contact) is Stage.QUEUED
        await call.hangup()
        await rig.event("contact.abandoned", contact)
        assert "callback.offered" not in rig.types(contact)
        assert work_items(rig, contact) == []


@pytest.mark.req("R-ITEMS")
@scenario
async def test_announcement_offers_the_callback_once_the_wait_reaches_the_threshold(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        # op1 serves the queue but is on another call: expected wait 180 s (the default handle
        # time) is below the threshold, so only the time waited brings the offer.
        await configure(rig, callback_after_s=190, announce_every_s=10, overflow=False)
        op1 = await rig.desk("op1")
        await op1.ready()
        first = await rig.call(digits="1")
        await op1.pop()
        await op1.accept()
        await rig.event("contact.answered", await rig.contact_of(first))
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("queue.joined", contact)
        offered = await rig.event("callback.offered", contact, within=30)
        assert payload(offered)["waited_s"] >= 190
        await call.press("1")
        await rig.event("callback.requested", contact)
        await callback_item(rig, contact)
        await first.hangup()
        await op1.state("wrap_up")


@pytest.mark.req("R-ITEMS")
@scenario
async def test_agent_takes_dials_and_closes_the_callback_erasing_the_number(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, callback_after_s=60)
        contact, item_id = await request_callback(rig)
        op1 = await rig.desk("op1")
        assert (await op1.ready())["callpath"]["state"] == "ready"
        todo = await op1.browser.http.get("/api/crm/workqueue?kind=callback")
        assert [i["id"] for i in todo.json()["items"]] == [item_id]
        assert CALLER not in todo.text
        taken = await op1.browser.post_json(f"/api/crm/workqueue/{item_id}/take", {})
        assert taken.status_code == 200, taken.text
        dialled = await op1.browser.post_json(f"/api/callpath/callbacks/{item_id}/dial", {})
        assert dialled.status_code == 200, dialled.text
        assert dialled.json()["callback"] == {
            "item_id": item_id,
            "contact_id": contact,
            "attempt": 1,
            "outcome": "reached",
            "connected": True,
        }
        assert CALLER not in dialled.text
        assert (await op1.state("not_ready"))["reason"] == "callback"
        legs = [c for c in rig.fs.server.switch.channels.values() if c.alive]
        citizen = next(c for c in legs if c.profile.destination_number == CALLER)
        agent_leg = rig.fs.server.switch.channels[citizen.bridged_to or ""]
        assert agent_leg.variables.get("sip_auto_answer") == "true"
        assert citizen.profile.caller_id_number == MAIN
        pushed = await op1.socket.next("callback_state")
        assert pushed["state"] == "connected"
        assert CALLER not in str(pushed)
        result = await rig.event("callback.result", contact, decided_by="switch")
        assert payload(result) == {"result": "reached", "attempt": 1, "decided_by": "switch"}
        closed = await op1.browser.post_json(
            f"/api/callpath/callbacks/{item_id}/close", {"outcome": "reached"}
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["item"]["state"] == "done"
        await until(lambda: not citizen.alive and not agent_leg.alive, what="legs to end")
        await op1.state("ready")
        (row,) = work_items(rig, contact)
        assert (row.state, row.result, row.callback_number_enc) == ("done", "reached", None)
        completed = await rig.event("callback.completed", contact)
        assert payload(completed) == {"reached": True}
        verdict = await rig.event("callback.result", contact, decided_by="agent")
        assert payload(verdict)["result"] == "reached"
        assert number_leaks(rig) == []


@pytest.mark.req("R-ITEMS")
@scenario
async def test_busy_citizen_is_no_answer_then_a_wrong_number_verdict_closes_it(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, callback_after_s=60)
        contact, item_id = await request_callback(rig)
        op1 = await rig.desk("op1")
        await op1.socket.call("not_ready", {"reason": "break"})
        await op1.browser.post_json(f"/api/crm/workqueue/{item_id}/take", {})
        rig.fs.server.switch.busy_numbers.add(CALLER)
        first = await op1.browser.post_json(f"/api/callpath/callbacks/{item_id}/dial", {})
        assert first.json()["callback"]["outcome"] == "no_answer"
        assert first.json()["callback"]["connected"] is False
        rig.fs.server.switch.busy_numbers.clear()
        second = await op1.browser.post_json(f"/api/callpath/callbacks/{item_id}/dial", {})
        assert second.json()["callback"]["attempt"] == 2
        assert second.json()["callback"]["outcome"] == "reached"
        twice = await op1.browser.post_json(f"/api/callpath/callbacks/{item_id}/dial", {})
        assert twice.status_code == 409
        assert twice.json()["error"] == "callback-in-progress"
        closed = await op1.browser.post_json(
            f"/api/callpath/callbacks/{item_id}/close", {"outcome": "wrong_number"}
        )
        assert closed.status_code == 200, closed.text
        results = [payload(e) for e in rig.events(contact) if e.type == "callback.result"]
        assert results == [
            {"result": "no_answer", "attempt": 1, "decided_by": "switch"},
            {"result": "reached", "attempt": 2, "decided_by": "switch"},
            {"result": "wrong_number", "attempt": 2, "decided_by": "agent"},
        ]
        assert payload(await rig.event("callback.completed", contact)) == {"reached": False}
        (row,) = work_items(rig, contact)
        assert (row.result, row.callback_number_enc) == ("unreached", None)
        assert rig.path.engine.agent("op1").reason == "break"  # not made ready by the call-back
        assert number_leaks(rig) == []


@pytest.mark.req("R-ITEMS")
@scenario
async def test_only_the_agent_working_the_callback_may_dial_it(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, callback_after_s=60)
        _contact, item_id = await request_callback(rig)
        op2 = await rig.desk("op2")
        refused = await op2.browser.post_json(f"/api/callpath/callbacks/{item_id}/dial", {})
        assert refused.status_code == 409
        assert refused.json()["error"] == "work-item-changed"
        unknown = await op2.browser.post_json("/api/callpath/callbacks/nope/dial", {})
        assert unknown.status_code == 404
        bad = await op2.browser.post_json(
            f"/api/callpath/callbacks/{item_id}/close", {"outcome": "maybe"}
        )
        assert bad.status_code == 422


@pytest.mark.req("R-ITEMS")
def test_dial_failures_map_to_no_answer_wrong_number_or_failed() -> None:
    assert outcome_of("USER_BUSY") == "no_answer"
    assert outcome_of("NO_ANSWER") == "no_answer"
    assert outcome_of("unallocated_number") == "wrong_number"
    assert outcome_of("NO_ROUTE_DESTINATION") == "wrong_number"
    assert outcome_of("NETWORK_OUT_OF_ORDER") == "failed"
    assert outcome_of("") == "failed"


@pytest.mark.req("R-ITEMS")
def test_callback_is_offered_when_nobody_serves_or_the_wait_reaches_the_threshold() -> None:
    assert long_wait(threshold_s=120, expected_s=None, waited_s=0)
    assert long_wait(threshold_s=120, expected_s=120, waited_s=0)
    assert long_wait(threshold_s=120, expected_s=30, waited_s=120)
    assert not long_wait(threshold_s=120, expected_s=119, waited_s=119)
