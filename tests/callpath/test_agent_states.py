"""Agent states set by the agent, logged as events and pushed live to supervisors (F-1.3.2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.callpath.harness import SV_TOTP, running, scenario
from tests.realtime.live import HubClient


@pytest.mark.req("F-1.3.2", "F-2.1.4")
@scenario
async def test_state_changes_are_logged_and_pushed_to_supervisors(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        wallboard = HubClient(rig.url, "/supervisor", cookie=sv.cookie_header)
        rig.closers.append(wallboard.close)
        await wallboard.connect()
        snapshot = await wallboard.next("snapshot")
        assert snapshot["callpath"]["agents"] == {}
        op1 = await rig.staff("op1")
        ready = await op1.post_json("/api/callpath/agent/state", {"state": "ready"})
        assert ready.status_code == 200, ready.text
        assert ready.json()["callpath"]["state"] == "ready"
        assert (await wallboard.next("agent_state"))["state"] == "ready"
        no_reason = await op1.post_json("/api/callpath/agent/state", {"state": "not_ready"})
        assert no_reason.status_code == 422
        assert no_reason.json()["message"] == "離席理由を選択してください。"
        away = await op1.post_json(
            "/api/callpath/agent/state", {"state": "not_ready", "reason": "break"}
        )
        assert away.status_code == 200, away.text
        pushed = await wallboard.next("agent_state")
        assert (pushed["agent"], pushed["state"], pushed["reason"]) == ("op1", "not_ready", "break")
        logged = [
            json.loads(e.payload)
            for e in rig.events()
            if e.type == "agent.state_changed" and e.agent == "op1"
        ]
        assert logged == [
            {"state": "ready", "reason": None},
            {"state": "not_ready", "reason": "break"},
        ]
        live = await sv.http.get("/api/callpath/live")
        assert live.json()["agents"]["op1"]["state"] == "not_ready"
        # Someone with a desk but no configured phone and skills gets a clear refusal.
        unset = await sv.post_json("/api/callpath/agent/state", {"state": "ready"})
        assert unset.status_code == 404
        assert unset.json()["error"] == "callpath-not-found"
        mine = await op1.http.get("/api/callpath/agent")
        assert mine.json()["callpath"]["state"] == "not_ready"
        out = await op1.post_json("/api/callpath/agent/state", {"state": "signed_out"})
        assert out.json()["callpath"]["state"] == "signed_out"


@pytest.mark.req("F-2.4.3", "F-1.3.1")
@scenario
async def test_live_view_gives_each_queue_its_waiting_callers_and_longest_wait(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        first = await rig.call(digits="2")  # nobody is ready: both wait in the tax queue
        contact = await rig.contact_of(first)
        await rig.event("queue.joined", contact)
        await first.wait(20)  # virtual seconds
        second = await rig.call(digits="2")
        await rig.event("queue.joined", await rig.contact_of(second))
        live = (await sv.http.get("/api/callpath/live")).json()["queues"]["q_tax"]
        assert live["waiting"] == 2
        assert live["longest_wait_s"] >= 20  # the first caller's wait, not the second's
        idle = (await sv.http.get("/api/callpath/live")).json()["queues"]["q_juminhyo"]
        assert (idle["waiting"], idle["longest_wait_s"]) == (0, 0.0)
