"""A supervisor takes an agent out of distribution, and sends a waiting or ringing call back to
a queue keeping its wait time (F-1.3.1, F-1.3.2, F-2.3.2); both audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.callpath.harness import SV_TOTP, running, scenario, until
from tests.callpath_supervise.helpers import audit_rows, connected


@pytest.mark.req("F-2.3.2", "F-1.3.1")
@scenario
async def test_supervisor_forces_a_ready_agent_not_ready(tmp_path: Path, callpath_db: Path) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        op1 = await rig.desk("op1")
        await op1.ready()
        await op1.state("ready")
        forced = await sv.post_json(
            "/api/callpath/agents/not-ready", {"agent": "op1", "reason": "緊急ミーティング"}
        )
        assert forced.status_code == 200, forced.text
        assert forced.json()["state"] == "not_ready"
        assert (await op1.state("not_ready"))["reason"] == "supervisor"
        [entry] = audit_rows(rig, "agent-forced-not-ready")
        assert (entry.actor, entry.target) == ("sv", "op1")
        assert json.loads(entry.detail) == {"reason": "緊急ミーティング", "from": "ready"}
        # Not ready now: a call for op1's skill waits in the queue.
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("queue.joined", contact)
        assert rig.path.engine.waiting("q_juminhyo") == [contact]
        await call.hangup()
        await rig.event("contact.abandoned", contact, stage="queue")


@pytest.mark.req("F-2.3.2")
@scenario
async def test_force_not_ready_refuses_busy_unknown_agents_and_a_missing_reason(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        url = "/api/callpath/agents/not-ready"
        missing = await sv.post_json(url, {"agent": "op1", "reason": " "})
        assert missing.status_code == 422
        unknown = await sv.post_json(url, {"agent": "nobody", "reason": "休憩"})
        assert unknown.status_code == 404
        assert unknown.json()["error"] == "agent-unknown"
        signed_out = await sv.post_json(url, {"agent": "op2", "reason": "休憩"})
        assert signed_out.status_code == 409
        talk = await connected(rig)
        on_call = await sv.post_json(url, {"agent": "op1", "reason": "休憩"})
        assert on_call.status_code == 409
        assert on_call.json()["error"] == "agent-not-idle"
        assert "通話中" in on_call.json()["message"]
        assert rig.path.engine.agent("op1").state.value == "on_call"
        assert audit_rows(rig, "agent-forced-not-ready") == []
        await talk.call.hangup()
        await talk.desk.state("wrap_up")


@pytest.mark.req("F-1.3.1", "F-1.3.2")
@scenario
async def test_waiting_call_goes_to_another_queue_keeping_its_wait(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        op2 = await rig.desk("op2")  # no 住民票 skill: only the general queue reaches op2
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("queue.joined", contact)
        await call.wait(4)
        moved = await sv.post_json(
            "/api/callpath/requeue", {"contact_id": contact, "queue_id": "q_general"}
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["requeue"] == {
            "contact_id": contact,
            "from_queue": "q_juminhyo",
            "to_queue": "q_general",
        }
        requeued = await rig.event("contact.requeued", contact)
        data = json.loads(requeued.payload)
        assert data["from_stage"] == "queued"
        assert data["waited_s"] >= 3.5
        assert rig.path.engine.waiting("q_general") == [contact]
        assert rig.path.engine.waiting("q_juminhyo") == []
        [entry] = audit_rows(rig, "call-requeue")
        assert json.loads(entry.detail)["to_queue"] == "q_general"
        same = await sv.post_json(
            "/api/callpath/requeue", {"contact_id": contact, "queue_id": "q_general"}
        )
        assert same.status_code == 409
        assert same.json()["error"] == "requeue-not-waiting"
        nowhere = await sv.post_json(
            "/api/callpath/requeue", {"contact_id": contact, "queue_id": "q_nowhere"}
        )
        assert nowhere.status_code == 404
        await op2.ready()
        pop = await op2.pop()
        assert pop["contact_id"] == contact
        assert pop["queue"]["id"] == "q_general"
        offered = await rig.event("agent.offered", contact)
        assert json.loads(offered.payload)["waited_s"] >= data["waited_s"]
        await call.hangup()
        await rig.event("contact.abandoned", contact, stage="offered")


@pytest.mark.req("F-1.3.1", "F-1.3.2")
@scenario
async def test_ringing_call_is_withdrawn_from_the_desk_and_requeued(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        op1 = await rig.desk("op1")
        await op1.ready()
        call = await rig.call(digits="2")  # 税金: op1 (tax 2) and op2 (tax 1)
        contact = await rig.contact_of(call)
        assert (await op1.pop())["contact_id"] == contact
        back = await sv.post_json("/api/callpath/requeue", {"contact_id": contact})
        assert back.status_code == 200, back.text
        assert await op1.socket.next("offer_withdrawn") == {
            "contact_id": contact,
            "reason": "contact.requeued",
        }
        assert (await op1.state("not_ready"))["reason"] == "requeued"
        requeued = json.loads((await rig.event("contact.requeued", contact)).payload)
        assert requeued["from_stage"] == "offered"
        assert requeued["to_queue"] == "q_tax"
        assert rig.path.engine.waiting("q_tax") == [contact]
        # Late accept of the withdrawn offer is refused; the next agent gets the call.
        late = await op1.accept()
        assert late["error"] == "callpath-no-offer"
        op2 = await rig.desk("op2")
        await op2.ready()
        assert (await op2.pop())["contact_id"] == contact
        await op2.accept()
        await rig.event("contact.answered", contact, within=15)
        # A connected call is no longer in a queue: it cannot be requeued.
        connected_now = await sv.post_json("/api/callpath/requeue", {"contact_id": contact})
        assert connected_now.status_code == 409
        assert len(audit_rows(rig, "call-requeue")) == 1
        await call.hangup()
        await until(lambda: contact not in rig.path.calls, what="the call to be forgotten")
