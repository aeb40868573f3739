"""Transfers to a department through the stand-in: blind, consult then complete or cancel,
a department that does not answer, and hang-ups during a consultation (F-1.1.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.callpath.harness import running, scenario, until
from tests.callpath_transfer.support import (
    D02_LABEL,
    DEPT_DIAL,
    channel,
    connected_call,
    department_leg,
    payloads,
    transfer_http,
    wait_bridged,
)

D02 = {"type": "department", "id": "D02", "label": D02_LABEL}


@pytest.mark.req("F-1.1.3", "F-2.1.4")
@scenario
async def test_blind_transfer_puts_the_caller_through_to_the_department_and_the_agent_to_wrap_up(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid
        ack = await op1.socket.call("transfer", {"action": "blind", "dept_id": "D02"})
        assert ack == {
            "ok": True,
            "transfer": {"state": "completed", "kind": "blind", "destination": D02},
        }
        pushed = await op1.socket.next("transfer_state")
        assert pushed == ack["transfer"]
        await op1.state("wrap_up")
        await rig.event("contact.ended", contact)  # the desk hears of it while the log commits
        dept = department_leg(rig)
        assert dept is not None
        assert dept.profile.destination_number == "2102"
        await wait_bridged(rig, call.uuid, dept.uuid)
        await until(lambda: channel(rig, agent_uuid) is None, what="the agent leg to end")
        moved = payloads(rig, contact, "contact.transferred")
        assert moved == [
            {
                "kind": "blind",
                "destination": "D02",
                "outcome": "completed",
                "destination_type": "department",
                "destination_label": D02_LABEL,
                "reason": None,
            }
        ]
        assert payloads(rig, contact, "contact.ended")[0]["by"] == "agent"
        await rig.event("recording.stored", contact)
        # The caller talks to the department; their hang-up is no longer the center's contact.
        await call.wait(2).hangup()
        await until(lambda: department_leg(rig) is None, what="the department leg to end")
        assert rig.types(contact).count("contact.ended") == 1
        assert contact not in rig.path.calls
        assert "2102" not in str(moved)


@pytest.mark.req("F-1.1.3")
@scenario
async def test_consult_holds_the_caller_then_complete_bridges_caller_and_department(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        status, body = await transfer_http(op1, {"action": "consult", "dept_id": "D02"})
        assert status == 200, body
        assert body["transfer"] == {"state": "consulting", "kind": "consult", "destination": D02}
        await op1.state("held")
        dept = department_leg(rig)
        assert dept is not None
        await wait_bridged(rig, agent_uuid, dept.uuid)
        caller = channel(rig, call.uuid)
        assert caller is not None
        assert caller.bridged_to is None
        await rig.event("contact.held", contact)
        status, body = await transfer_http(op1, {"action": "complete"})
        assert status == 200, body
        assert body["transfer"] == {"state": "completed", "kind": "consult", "destination": D02}
        await op1.state("wrap_up")
        await rig.event("contact.ended", contact)  # the desk hears of it while the log commits
        await wait_bridged(rig, call.uuid, dept.uuid)
        await until(lambda: channel(rig, agent_uuid) is None, what="the agent leg to end")
        assert payloads(rig, contact, "contact.transferred") == [
            {
                "kind": "attended",
                "destination": "D02",
                "outcome": "completed",
                "destination_type": "department",
                "destination_label": D02_LABEL,
                "reason": None,
            }
        ]
        ended = payloads(rig, contact, "contact.ended")
        assert len(ended) == 1
        assert ended[0]["by"] == "agent"
        assert ended[0]["hold_s"] > 0
        await call.wait(1).hangup()
        await until(lambda: department_leg(rig) is None, what="the department leg to end")
        assert rig.types(contact).count("contact.ended") == 1


@pytest.mark.req("F-1.1.3")
@scenario
async def test_consult_then_cancel_brings_the_agent_back_to_the_caller(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        ack = await op1.socket.call("transfer", {"action": "consult", "dept_id": "D02"})
        assert ack["transfer"]["state"] == "consulting"
        dept = department_leg(rig)
        assert dept is not None
        ack = await op1.socket.call("transfer", {"action": "cancel"})
        assert ack["transfer"] == {"state": "cancelled", "kind": "consult", "destination": D02}
        await wait_bridged(rig, call.uuid, agent_uuid)
        await until(lambda: department_leg(rig) is None, what="the department leg to end")
        await op1.state("on_call")
        await rig.event("contact.retrieved", contact)
        caller = channel(rig, call.uuid)
        assert caller is not None
        assert not caller.held
        assert caller.variables.get("park_after_bridge") == "false"
        moved = payloads(rig, contact, "contact.transferred")
        assert [(m["kind"], m["outcome"]) for m in moved] == [("attended", "cancelled")]
        assert "contact.ended" not in rig.types(contact)
        # Cancel again: nothing is being consulted any more.
        ack = await op1.socket.call("transfer", {"action": "cancel"})
        assert ack["error"] == "transfer-not-consulting"
        # A second consultation after a cancelled one can be completed.
        ack = await op1.socket.call("transfer", {"action": "consult", "dept_id": "D02"})
        assert ack["transfer"]["state"] == "consulting"
        ack = await op1.socket.call("transfer", {"action": "complete"})
        assert ack["transfer"]["state"] == "completed"
        await rig.event("contact.ended", contact, by="agent")
        await op1.state("wrap_up")
        moved = payloads(rig, contact, "contact.transferred")
        assert [(m["kind"], m["outcome"]) for m in moved] == [
            ("attended", "cancelled"),
            ("attended", "completed"),
        ]
        await call.wait(1).hangup()
        assert rig.types(contact).count("contact.ended") == 1


@pytest.mark.req("F-1.1.3")
@scenario
async def test_department_not_answering_leaves_the_agent_with_the_caller_and_a_clear_error(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        rig.fs.server.switch.busy_numbers.add("2102")
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        for action in ("consult", "blind"):
            status, body = await transfer_http(op1, {"action": action, "dept_id": "D02"})
            assert status == 409, body
            assert body["error"] == "transfer-destination-unanswered"
            assert "応答しませんでした" in body["message"]
            await wait_bridged(rig, call.uuid, agent_uuid)
        assert rig.path.engine.agent("op1").state.value == "on_call"
        moved = payloads(rig, contact, "contact.transferred")
        assert [(m["kind"], m["outcome"], m["reason"]) for m in moved] == [
            ("attended", "cancelled", "user_busy"),
            ("blind", "cancelled", "user_busy"),
        ]
        caller = channel(rig, call.uuid)
        assert caller is not None
        assert caller.variables.get("park_after_bridge") == "false"
        await call.wait(1).hangup()
        await rig.event("contact.ended", contact, by="caller")
        assert rig.types(contact).count("contact.ended") == 1


@pytest.mark.req("F-1.1.3")
@scenario
async def test_caller_hanging_up_mid_consult_ends_one_contact_and_every_leg(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        ack = await op1.socket.call("transfer", {"action": "consult", "dept_id": "D02"})
        assert ack["transfer"]["state"] == "consulting"
        assert department_leg(rig) is not None
        await call.hangup()
        await rig.event("contact.ended", contact, by="caller")
        await op1.state("wrap_up")
        await until(lambda: department_leg(rig) is None, what="the department leg to end")
        await until(lambda: channel(rig, agent_uuid) is None, what="the agent leg to end")
        assert (await op1.socket.next("transfer_state"))["state"] == "consulting"
        assert (await op1.socket.next("transfer_state"))["state"] == "cancelled"
        assert rig.types(contact).count("contact.ended") == 1
        assert not any(e.type == "contact.transferred" for e in rig.events(contact))
        status, body = await transfer_http(op1, {"action": "complete"})
        assert (status, body["error"]) == (409, "transfer-no-call")


@pytest.mark.req("F-1.1.3")
@scenario
async def test_department_hanging_up_mid_consult_returns_the_agent_to_the_caller(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        await op1.socket.call("transfer", {"action": "consult", "dept_id": "D02"})
        dept = department_leg(rig)
        assert dept is not None
        rig.fs.server.switch.hangup(dept)
        await wait_bridged(rig, call.uuid, agent_uuid)
        await rig.event("contact.retrieved", contact)
        moved = await rig.event("contact.transferred", contact, outcome="cancelled")
        assert '"destination_hung_up"' in moved.payload
        await op1.state("on_call")
        await call.wait(1).hangup()
        await rig.event("contact.ended", contact, by="caller")
        assert rig.types(contact).count("contact.ended") == 1


@pytest.mark.req("F-1.1.3")
@scenario
async def test_agent_hanging_up_mid_consult_completes_the_transfer(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_uuid = rig.path.calls[contact].agent_uuid or ""
        await op1.socket.call("transfer", {"action": "consult", "dept_id": "D02"})
        dept = department_leg(rig, DEPT_DIAL)
        assert dept is not None
        agent_leg = channel(rig, agent_uuid)
        assert agent_leg is not None
        rig.fs.server.switch.hangup(agent_leg)
        await wait_bridged(rig, call.uuid, dept.uuid)
        await rig.event("contact.transferred", contact, kind="attended", outcome="completed")
        await op1.state("wrap_up")
        await rig.event("contact.ended", contact)  # the desk hears of it while the log commits
        ended = payloads(rig, contact, "contact.ended")
        assert [e["by"] for e in ended] == ["agent"]
        await call.wait(1).hangup()
        await until(lambda: department_leg(rig) is None, what="the department leg to end")
        assert rig.types(contact).count("contact.ended") == 1
