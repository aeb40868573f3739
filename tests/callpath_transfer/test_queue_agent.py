"""Transfers to another queue and to a named agent: the call continues as a new contact linked
to the first one; the first agent goes to wrap-up (F-1.1.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.callpath.harness import running, scenario, until
from tests.callpath_transfer.support import (
    channel,
    connected_call,
    payloads,
    transfer_http,
    wait_bridged,
)


@pytest.mark.req("F-1.1.3", "F-1.3.1")
@scenario
async def test_transfer_to_a_queue_reenters_the_acd_as_a_linked_contact(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        op2 = await rig.desk("op2")
        assert (await op2.socket.call("not_ready", {"reason": "break"}))["callpath"][
            "state"
        ] == "not_ready"
        call, contact = await connected_call(rig, op1)
        first_agent_leg = rig.path.calls[contact].agent_uuid
        ack = await op1.socket.call("transfer", {"action": "blind", "queue_id": "q_kokuho"})
        assert ack["transfer"] == {
            "state": "completed",
            "kind": "queue",
            "destination": {"type": "queue", "id": "q_kokuho", "label": "国民健康保険・年金"},
        }
        await op1.state("wrap_up")
        await rig.event("contact.ended", contact)  # the desk hears of it while the log commits
        await until(lambda: channel(rig, first_agent_leg) is None, what="op1's leg to end")
        moved = payloads(rig, contact, "contact.transferred")
        assert [(m["kind"], m["destination"], m["destination_type"]) for m in moved] == [
            ("queue", "q_kokuho", "queue")
        ]
        assert [e["by"] for e in payloads(rig, contact, "contact.ended")] == ["agent"]
        new = await rig.contact_of(call)
        assert new != contact
        received = await rig.event("contact.received", new)
        assert f'"transferred_from": "{contact}"' in received.payload
        await rig.event("queue.joined", new)
        assert (await op2.socket.call("ready", {}))["callpath"]["state"] == "offered"
        pop = await op2.pop()
        assert pop["contact_id"] == new
        assert pop["queue"]["id"] == "q_kokuho"
        assert (await op2.accept())["callpath"]["state"] == "on_call"
        await wait_bridged(rig, call.uuid, rig.path.calls[new].agent_uuid or "")
        await call.wait(1).hangup()
        await rig.event("contact.ended", new, by="caller")
        await op2.state("wrap_up")
        assert rig.types(contact).count("contact.ended") == 1
        assert rig.types(new).count("contact.ended") == 1
        await rig.event("recording.stored", contact)
        await rig.event("recording.stored", new)


@pytest.mark.req("F-1.1.3")
@scenario
async def test_transfer_to_a_ready_agent_offers_the_call_to_that_agent(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        op2 = await rig.desk("op2")
        assert (await op2.socket.call("not_ready", {"reason": "break"}))["callpath"][
            "state"
        ] == "not_ready"
        call, contact = await connected_call(rig, op1)
        status, body = await transfer_http(op1, {"action": "blind", "agent": "op2"})
        assert status == 409
        assert body["error"] == "transfer-agent-unavailable"
        assert "離席中" in body["message"]
        assert "contact.transferred" not in rig.types(contact)
        assert (await op2.socket.call("ready", {}))["callpath"]["state"] == "ready"
        ack = await op1.socket.call("transfer", {"action": "blind", "agent": "op2"})
        assert ack["transfer"] == {
            "state": "completed",
            "kind": "agent",
            "destination": {"type": "agent", "id": "op2", "label": "op2"},
        }
        await op1.state("wrap_up")
        new = await rig.contact_of(call)
        pop = await op2.pop()
        assert pop["contact_id"] == new
        await rig.event("agent.offered", new)
        assert (await op2.accept())["callpath"]["state"] == "on_call"
        moved = payloads(rig, contact, "contact.transferred")
        assert [(m["kind"], m["destination"]) for m in moved] == [("agent", "op2")]
        await call.wait(1).hangup()
        await rig.event("contact.ended", new, by="caller")
        assert rig.types(contact).count("contact.ended") == 1
        assert rig.types(new).count("contact.ended") == 1
