"""Every typed call-control function against the stand-in, with its effect checked."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from switch.connection.errors import NoSuchChannel, OriginateFailed
from switch.standin.channels import Channel
from tests.switch_integration.rig import Rig, rig, scenario, until

CUSTOMER = "4a1d7a3e-0000-4000-8000-0000000c0001"
AGENT = "4a1d7a3e-0000-4000-8000-0000000a0001"
CONSULT = "4a1d7a3e-0000-4000-8000-0000000d0001"
SUPERVISOR = "4a1d7a3e-0000-4000-8000-0000000e0001"


def channel(r: Rig, uuid: str) -> Channel:
    ch = r.fs.server.switch.channels[uuid]
    assert ch.alive
    return ch


async def customer_with_agent(r: Rig) -> tuple[str, str]:
    """An answered customer call bridged to agent 1001 (both legs up)."""
    r.fs.register_agent("1001", answer_delay=0.1)
    call = await r.fs.call(did="0339811111", caller="09012345678")
    await r.log.wait_for("CHANNEL_PARK", call.uuid)
    await r.control.originate(uuid=AGENT, endpoint="user/1001", auto_answer=True)
    await r.control.bridge(uuid=call.uuid, other_uuid=AGENT)
    await r.log.wait_for("CHANNEL_BRIDGE", call.uuid)
    return call.uuid, AGENT


@pytest.mark.req("F-1.1.1")
@scenario
async def test_originate_sets_uuid_variables_and_auto_answers(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        r.fs.register_agent("1001", auto_answer=False)
        made = await r.control.originate(
            uuid=AGENT,
            endpoint="user/1001",
            auto_answer=True,
            variables={"madoguchi_call": "c-42"},
            caller_id_name="窓口 テスト",
            caller_id_number="0339811111",
        )
        assert made.uuid == AGENT
        answer = await r.log.wait_for("CHANNEL_ANSWER", AGENT)
        assert answer.get("variable_madoguchi_call") == "c-42"
        assert answer.get("variable_sip_auto_answer") == "true"
        assert answer.get("Caller-Caller-ID-Name") == "窓口 テスト"
        assert channel(r, AGENT).call_state == "ACTIVE"
        with pytest.raises(OriginateFailed) as failed:
            await r.control.originate(uuid=CONSULT, endpoint="user/2002")
        assert failed.value.reason == "USER_NOT_REGISTERED"


@pytest.mark.req("F-1.1.1")
@scenario
async def test_answer_bridge_and_kill_change_channel_states(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        call = await r.fs.call(did="0339811111", caller="09012345678")
        await r.log.wait_for("CHANNEL_PARK", call.uuid)
        assert channel(r, call.uuid).call_state == "RINGING"
        await r.control.answer(uuid=call.uuid)
        await r.log.wait_for("CHANNEL_ANSWER", call.uuid)
        assert r.client.channels.live[call.uuid].callstate == "ACTIVE"
        r.fs.register_agent("1001", answer_delay=0.1)
        await r.control.originate(uuid=AGENT, endpoint="user/1001", auto_answer=True)
        await r.control.bridge(uuid=call.uuid, other_uuid=AGENT)
        bridge = await r.log.wait_for("CHANNEL_BRIDGE", call.uuid)
        assert bridge.get("Bridge-B-Unique-ID") == AGENT
        assert channel(r, call.uuid).bridged_to == AGENT
        assert channel(r, AGENT).bridged_to == call.uuid
        await r.control.kill(uuid=AGENT, cause="USER_BUSY")
        gone = await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", AGENT)
        assert gone.get("Hangup-Cause") == "USER_BUSY"
        await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", call.uuid)
        assert r.client.channels.live == {}
        with pytest.raises(NoSuchChannel):
            await r.control.kill(uuid=AGENT)


@pytest.mark.req("F-1.1.1")
@scenario
async def test_hold_and_setvar_reach_the_channel(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, _agent = await customer_with_agent(r)
        await r.control.hold(uuid=customer)
        await r.log.wait_for("CHANNEL_HOLD", customer)
        assert channel(r, customer).held
        assert channel(r, customer).call_state == "HELD"
        assert r.client.channels.live[customer].callstate == "HELD"
        await r.control.hold(uuid=customer, on=False)
        await r.log.wait_for("CHANNEL_UNHOLD", customer)
        assert r.client.channels.live[customer].callstate == "ACTIVE"
        await r.control.setvar(uuid=customer, name="madoguchi_topic", value="住民票 の 写し")
        assert await r.client.api("uuid_getvar", f"{customer} madoguchi_topic") == "住民票 の 写し"


@pytest.mark.req("F-1.1.1")
@scenario
async def test_stereo_recording_is_written_with_start_and_stop_events(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, _agent = await customer_with_agent(r)
        path = str(tmp_path / "rec" / "call-1.wav")
        await r.control.record_start(uuid=customer, path=path)
        start = await r.log.wait_for("RECORD_START", customer)
        assert start.get("Record-File-Path") == path
        assert start.get("variable_RECORD_STEREO") == "true"
        await r.fs.clock.sleep(3)
        await r.control.record_stop(uuid=customer, path=path)
        stop = await r.log.wait_for("RECORD_STOP", customer)
        assert stop.get("Record-File-Path") == path
        with wave.open(path, "rb") as wav:
            assert wav.getnchannels() == 2
            assert wav.getframerate() == 8000
            assert wav.getsampwidth() == 2
            assert wav.getnframes() >= 3 * 8000
        assert int(stop.get("variable_record_samples") or 0) >= 3 * 8000


@pytest.mark.req("F-1.1.3")
@scenario
async def test_transfer_moves_the_customer_to_another_agent(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        r.fs.register_agent("1002", answer_delay=0.1)
        await r.control.transfer(uuid=customer, destination="1002")
        await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", agent)
        bridge = await r.log.wait(
            lambda e: (
                e.name == "CHANNEL_BRIDGE"
                and e.unique_id == customer
                and e.get("Bridge-B-Unique-ID") != agent
            )
        )
        new_agent = bridge.get("Bridge-B-Unique-ID") or ""
        created = await r.log.wait_for("CHANNEL_CREATE", new_agent)
        assert created.get("Caller-Destination-Number") == "1002"
        assert channel(r, customer).bridged_to == new_agent


@pytest.mark.req("F-1.1.1")
@scenario
async def test_broadcast_plays_a_file_on_the_channel(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, _agent = await customer_with_agent(r)
        await r.control.broadcast(uuid=customer, path="ivr/ja/please_wait.wav")
        done = await r.log.wait_for("CHANNEL_EXECUTE_COMPLETE", customer, Application="playback")
        assert done.get("Application-Data") == "ivr/ja/please_wait.wav"
        assert done.get("Application-Response") == "FILE PLAYED"


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize(
    ("mode", "aleg", "bleg"),
    [("listen", None, None), ("whisper", None, "true"), ("barge", "true", "true")],
)
@scenario
async def test_eavesdrop_calls_the_supervisor_onto_the_agent_leg(
    tmp_path: Path, mode: str, aleg: str | None, bleg: str | None
) -> None:
    async with rig(tmp_path) as r:
        _customer, agent = await customer_with_agent(r)
        r.fs.register_agent("1009", auto_answer=False, answer_delay=0.1)
        made = await r.control.eavesdrop(
            uuid=agent,
            supervisor_uuid=SUPERVISOR,
            endpoint="user/1009",
            mode=mode,  # type: ignore[arg-type]
        )
        assert made.uuid == SUPERVISOR
        execute = await r.log.wait_for("CHANNEL_EXECUTE", SUPERVISOR, Application="eavesdrop")
        assert execute.get("Application-Data") == agent
        sup = channel(r, SUPERVISOR)
        assert sup.call_state == "ACTIVE"
        assert sup.variables.get("eavesdrop_target_uuid") == agent
        assert sup.variables.get("eavesdrop_whisper_aleg") == aleg
        assert sup.variables.get("eavesdrop_whisper_bleg") == bleg
        await r.control.kill(uuid=agent)
        await r.log.wait_for("CHANNEL_EXECUTE_COMPLETE", SUPERVISOR, Application="eavesdrop")


@pytest.mark.req("F-1.1.3")
@scenario
async def test_consult_then_complete_joins_customer_and_department(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        r.fs.register_agent("2001", answer_delay=0.1)
        await r.control.consult_start(
            customer_uuid=customer, agent_uuid=agent, consult_uuid=CONSULT, endpoint="user/2001"
        )
        await r.log.wait(
            lambda e: e.name == "CHANNEL_BRIDGE" and e.get("Bridge-B-Unique-ID") == CONSULT
        )
        assert channel(r, agent).bridged_to == CONSULT
        assert channel(r, customer).bridged_to is None
        await r.log.wait_for("CHANNEL_EXECUTE", customer, Application="playback")
        await r.control.consult_complete(
            customer_uuid=customer, agent_uuid=agent, consult_uuid=CONSULT
        )
        await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", agent)
        assert channel(r, customer).bridged_to == CONSULT
        assert channel(r, CONSULT).bridged_to == customer
        assert set(r.client.channels.live) == {customer, CONSULT}


@pytest.mark.req("F-1.1.3")
@scenario
async def test_consult_then_cancel_brings_agent_and_customer_back(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        r.fs.register_agent("2001", answer_delay=0.1)
        await r.control.consult_start(
            customer_uuid=customer, agent_uuid=agent, consult_uuid=CONSULT, endpoint="user/2001"
        )
        await r.control.consult_cancel(
            customer_uuid=customer, agent_uuid=agent, consult_uuid=CONSULT
        )
        await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", CONSULT)
        assert channel(r, customer).bridged_to == agent
        assert channel(r, agent).bridged_to == customer
        await until(lambda: set(r.client.channels.live) == {customer, agent})


@pytest.mark.req("F-1.1.1")
@scenario
async def test_conference_join_applies_member_flags(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        # Moving one leg of a bridge hangs up the other unless it parks after the bridge.
        await r.control.setvar(uuid=agent, name="park_after_bridge", value="true")
        await r.control.conference_join(uuid=customer, room="room-7", flags=("mute",))
        await r.log.wait_for("CHANNEL_PARK", agent)
        await r.control.conference_join(uuid=agent, room="room-7", flags=("moderator",))
        added = await r.log.wait(
            lambda e: (
                e.key == "conference::maintenance"
                and e.get("Action") == "add-member"
                and e.unique_id == customer
            )
        )
        assert added.get("Conference-Name") == "room-7"
        assert added.get("Speak") == "false"
        mod = await r.log.wait(
            lambda e: (
                e.key == "conference::maintenance"
                and e.get("Action") == "add-member"
                and e.unique_id == agent
            )
        )
        assert mod.get("Member-Type") == "moderator"
        assert mod.get("Speak") == "true"
        assert mod.get("Conference-Size") == "2"
        assert set(r.fs.server.apps.conference_members["room-7"]) == {customer, agent}


@pytest.mark.req("F-1.5.1")
@scenario
async def test_send_fax_transmits_the_tiff_and_reports_the_result(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        tiff = tmp_path / "out" / "notice.tif"
        made = await r.control.send_fax(
            uuid=CUSTOMER,
            endpoint="sofia/gateway/ntt/0312345678",
            tiff_path=str(tiff),
            ident="+81 3 3981 1111",
            header="Toshima City",
        )
        assert made.uuid == CUSTOMER
        result = await r.log.wait_for("spandsp::txfaxresult", CUSTOMER)
        assert result.get("variable_fax_success") == "1"
        assert result.get("variable_fax_ident") == "+81 3 3981 1111"
        assert result.get("variable_fax_document_transferred_pages") == "1"
