"""Supervisors listen, whisper and barge on live calls through their own phones, each change
audited and logged (F-1.1.1 monitoring, F-1.1.2 performance data kept)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.callpath.harness import Rig, running, scenario, until
from tests.callpath_supervise.helpers import (
    audit_rows,
    connected,
    hearing,
    monitor_of,
    monitored,
    supervision,
    supervisor_socket,
    supervisors,
)


def leg_variables(rig: Rig, uuid: str) -> dict[str, str]:
    return dict(rig.fs.server.switch.channels[uuid].variables)


@pytest.mark.req("F-1.1.1", "F-1.1.2")
@scenario
async def test_listen_hears_both_sides_and_nobody_hears_the_supervisor(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = (await supervisors(rig))["sv"]
        pushes = await supervisor_socket(rig, sv)
        talk = await connected(rig)
        started = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "listen"}
        )
        assert started.status_code == 200, started.text
        assert started.json() == {
            "ok": True,
            "monitor": {
                "contact_id": talk.contact,
                "mode": "listen",
                "supervisor": "sv",
                "agent": "op1",
            },
        }
        leg = monitor_of(rig, talk.contact, "sv").uuid
        variables = leg_variables(rig, leg)
        assert variables["sip_auto_answer"] == "true"
        assert variables["eavesdrop_enable_dtmf"] == "false"
        assert rig.fs.server.switch.channels[leg].profile.destination_number == "1009"
        await hearing(rig, leg, {talk.agent_uuid, talk.caller_uuid})
        assert rig.fs.hears(talk.agent_uuid) == {talk.caller_uuid}
        assert rig.fs.hears(talk.caller_uuid) == {talk.agent_uuid}
        push = await pushes.next("monitor_changed")
        assert push == {"contact_id": talk.contact, "mode": "listen", "supervisor": "sv"}
        [entry] = audit_rows(rig, "call-listen")
        assert (entry.actor, entry.target) == ("sv", talk.contact)
        assert json.loads(entry.detail) == {"agent": "op1", "mode": "listen"}
        assert monitored(rig, talk.contact) == [
            {"action": "started", "mode": "listen", "stopped_by": None}
        ]
        # The keypad cannot turn listening into barging behind the audit trail.
        rig.fs.press(leg, "3")
        assert (await sv.http.get("/api/callpath/live")).status_code == 200  # loop turns
        assert rig.fs.server.switch.digits[leg].qsize() == 1  # eavesdrop never read it
        assert rig.fs.hears(talk.caller_uuid) == {talk.agent_uuid}
        await talk.call.hangup()


@pytest.mark.req("F-1.1.1")
@scenario
async def test_whisper_reaches_the_agent_only_and_barge_reaches_both(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = (await supervisors(rig))["sv"]
        talk = await connected(rig)
        whisper = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "whisper"}
        )
        assert whisper.status_code == 200, whisper.text
        leg = monitor_of(rig, talk.contact, "sv").uuid
        # eavesdrop_whisper_bleg (ED_MUX_WRITE) on the agent leg: into what the agent hears.
        assert leg_variables(rig, leg)["eavesdrop_whisper_bleg"] == "true"
        assert leg_variables(rig, leg)["eavesdrop_whisper_aleg"] == "false"
        await hearing(rig, talk.agent_uuid, {talk.caller_uuid, leg})
        assert rig.fs.hears(talk.caller_uuid) == {talk.agent_uuid}
        assert rig.fs.hears(leg) == {talk.agent_uuid, talk.caller_uuid}
        barge = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "barge"}
        )
        assert barge.status_code == 200, barge.text
        assert barge.json()["monitor"]["mode"] == "barge"
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid, leg})
        assert rig.fs.hears(talk.agent_uuid) == {talk.caller_uuid, leg}
        # The mode changed on the same phone call: no second leg was rung.
        assert [m.uuid for m in supervision(rig).of_call(talk.contact)] == [leg]
        [entry] = audit_rows(rig, "call-barge")
        assert json.loads(entry.detail) == {"agent": "op1", "mode": "barge", "previous": "whisper"}
        assert [p["action"] for p in monitored(rig, talk.contact)] == ["started", "changed"]
        await talk.call.hangup()


@pytest.mark.req("F-1.1.1", "F-1.1.2")
@scenario
async def test_mode_switches_back_to_listen_then_stop_hangs_up_the_phone(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = (await supervisors(rig))["sv"]
        pushes = await supervisor_socket(rig, sv)
        talk = await connected(rig)
        for mode in ("barge", "listen"):
            reply = await sv.post_json(
                "/api/callpath/supervise", {"contact_id": talk.contact, "mode": mode}
            )
            assert reply.status_code == 200, reply.text
        leg = monitor_of(rig, talk.contact, "sv").uuid
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid})
        await hearing(rig, talk.agent_uuid, {talk.caller_uuid})
        same = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "listen"}
        )
        assert same.status_code == 200
        assert len(audit_rows(rig, "call-listen")) == 1  # asking for the mode in force: no change
        stopped = await sv.post_json("/api/callpath/supervise/stop", {"contact_id": talk.contact})
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["monitor"]["mode"] is None
        await until(lambda: leg not in rig.fs.server.switch.channels, what="the phone leg to end")
        assert supervision(rig).of_call(talk.contact) == []
        assert [(await pushes.next("monitor_changed"))["mode"] for _ in range(3)] == [
            "barge",
            "listen",
            None,
        ]
        [entry] = audit_rows(rig, "call-monitor-stop")
        assert json.loads(entry.detail)["by"] == "supervisor"
        assert monitored(rig, talk.contact)[-1] == {
            "action": "stopped",
            "mode": None,
            "stopped_by": "supervisor",
        }
        again = await sv.post_json("/api/callpath/supervise/stop", {"contact_id": talk.contact})
        assert again.status_code == 404
        assert again.json()["error"] == "supervise-no-call"
        # The call itself goes on.
        assert rig.fs.hears(talk.caller_uuid) == {talk.agent_uuid}
        await talk.call.hangup()


@pytest.mark.req("F-1.1.1")
@scenario
async def test_the_call_ending_ends_the_supervisor_legs(tmp_path: Path, callpath_db: Path) -> None:
    async with running(tmp_path, callpath_db) as rig:
        browsers = await supervisors(rig)
        talk = await connected(rig)
        for who, mode in (("sv", "listen"), ("sv2", "whisper")):
            reply = await browsers[who].post_json(
                "/api/callpath/supervise", {"contact_id": talk.contact, "mode": mode}
            )
            assert reply.status_code == 200, reply.text
        legs = [m.uuid for m in supervision(rig).of_call(talk.contact)]
        assert len(legs) == 2
        await talk.call.hangup()
        await until(
            lambda: not any(leg in rig.fs.server.switch.channels for leg in legs),
            what="both supervisor legs to end",
        )
        assert supervision(rig).of_call(talk.contact) == []

        def stops() -> list[str]:
            payloads = monitored(rig, talk.contact)
            return [p["stopped_by"] for p in payloads if p["action"] == "stopped"]

        await until(lambda: len(stops()) == 2, what="both stops logged")
        assert stops() == ["call_ended", "call_ended"]
        assert {e.actor for e in audit_rows(rig, "call-monitor-stop")} == {"sv", "sv2"}
        await talk.desk.state("wrap_up")


@pytest.mark.req("F-1.1.1")
@scenario
async def test_the_supervisor_hanging_up_the_phone_stops_the_monitor(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = (await supervisors(rig))["sv"]
        pushes = await supervisor_socket(rig, sv)
        talk = await connected(rig)
        reply = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "barge"}
        )
        assert reply.status_code == 200, reply.text
        leg = monitor_of(rig, talk.contact, "sv").uuid
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid, leg})
        assert (await pushes.next("monitor_changed"))["mode"] == "barge"
        rig.fs.phone_hangs_up(leg)
        assert await pushes.next("monitor_changed") == {
            "contact_id": talk.contact,
            "mode": None,
            "supervisor": "sv",
        }
        assert supervision(rig).of_call(talk.contact) == []
        assert monitored(rig, talk.contact)[-1]["stopped_by"] == "phone_hung_up"
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid})
        # The call goes on; the supervisor may join again.
        rejoined = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "listen"}
        )
        assert rejoined.status_code == 200, rejoined.text
        await talk.call.hangup()
