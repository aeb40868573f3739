"""FreeSWITCH faults with the stand-in and the whole server: the ESL connection dropped
mid-call, a silent ESL connection (socket open, no bytes), FreeSWITCH restarted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realtime.monitoring import incidents
from switch.standin.script import Call
from tests.callpath.harness import Desk, Rig, running, scenario, until
from tests.faults.invariants import (
    FaultRecord,
    alert_detail,
    alerts,
    assert_no_duplicate_pops,
    assert_one_end_per_call,
)


async def answered_call(rig: Rig, desk: Desk, pops: list[tuple[str, str]]) -> tuple[Call, str]:
    """A caller choosing 1, offered to ``desk``, accepted and bridged."""
    await desk.ready()
    call = await rig.call(digits="1")
    contact = await rig.contact_of(call)
    pop = await desk.pop()
    pops.append((desk.username, pop["contact_id"]))
    await desk.accept()
    await rig.event("contact.answered", contact)
    return call, contact


def later_pops(desk: Desk) -> list[tuple[str, str]]:
    """Screen pops the desk received after the first one (there must be none for that call)."""
    return [(desk.username, p["contact_id"]) for p in desk.socket.pending("screen_pop")]


async def stored_and_cleared(rig: Rig, kind: str) -> None:
    """The fault's alert row exists and is cleared (the flush is asynchronous)."""

    def done() -> bool:
        rows = alerts(rig.ctx.db, kind)
        return bool(rows) and all(r.cleared_at is not None for r in rows)

    await until(done, within=20, what=f"the {kind} alert to be stored and cleared")


@pytest.mark.req("N-REL-1")
@scenario
async def test_esl_drop_mid_call_alerts_and_the_call_ends_once(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord
) -> None:
    fault_record.fault = "ESL connection dropped mid-call"
    fault_record.injected = "stand-in aborts every ESL TCP connection while a call is bridged"
    async with running(tmp_path, callpath_db) as rig:
        pops: list[tuple[str, str]] = []
        op1 = await rig.desk("op1")
        call, contact = await answered_call(rig, op1, pops)
        generation = rig.switch.client.generation
        rig.fs.drop_esl()
        faults = incidents.of(rig.ctx)
        await until(lambda: faults.is_open("switch_link", "esl"), what="the link alert")
        await until(
            lambda: rig.switch.client.connected and rig.switch.client.generation > generation,
            what="the ESL client to reconnect",
        )
        await until(lambda: not faults.is_open("switch_link", "esl"), what="the alert to clear")
        incident = next(i for i in faults.history if i.kind == "switch_link")
        fault_record.detected_by = (
            f"ESL client: connection closed -> switch_link ({incident.detail['reason']})"
        )
        fault_record.recovery_s = incident.recovery_s
        await call.wait(1).hangup()
        await rig.event("contact.ended", contact, by="caller")
        await op1.state("wrap_up")
        await stored_and_cleared(rig, "switch_link")
        assert_one_end_per_call(rig.ctx.db)
        fault_record.held("one end per call")
        assert_no_duplicate_pops(
            pops + [(op1.username, p["contact_id"]) for p in op1.socket.pending("screen_pop")]
        )
        fault_record.held("no duplicate pop")
        fault_record.held("alert raised and cleared")


@pytest.mark.req("N-REL-1")
@scenario
async def test_silent_esl_connection_is_detected_by_the_heartbeat_timeout(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord
) -> None:
    fault_record.fault = "silent ESL connection"
    fault_record.injected = "stand-in stops reading and writing, sockets stay open (stall)"
    # HEARTBEAT every 20 virtual s = 1 s real; silence for 3 s means FreeSWITCH is stuck.
    async with running(tmp_path, callpath_db, esl_silence_timeout_s=3.0) as rig:
        pops: list[tuple[str, str]] = []
        op1 = await rig.desk("op1")
        call, contact = await answered_call(rig, op1, pops)
        faults = incidents.of(rig.ctx)
        rig.fs.stall()
        await until(
            lambda: faults.is_open("switch_link", "esl"), within=20, what="silence to be noticed"
        )
        incident = next(i for i in faults.history if i.kind == "switch_link")
        assert incident.detail["reason"] == "silent"
        assert rig.switch.client.metrics.snapshot()["silent_disconnects"] == 1
        rig.fs.resume()
        await until(
            lambda: not faults.is_open("switch_link", "esl"), within=30, what="the link to return"
        )
        fault_record.detected_by = (
            "ESL client silence timeout (no HEARTBEAT for 3 s) -> switch_link"
        )
        fault_record.recovery_s = incident.recovery_s
        assert call.uuid in rig.fs.server.switch.channels
        assert rig.path.engine.agent("op1").state.value == "on_call"
        await call.hangup()
        await rig.event("contact.ended", contact)
        await stored_and_cleared(rig, "switch_link")
        assert_one_end_per_call(rig.ctx.db)
        fault_record.held("one end per call")
        assert_no_duplicate_pops(
            pops + [(op1.username, p["contact_id"]) for p in op1.socket.pending("screen_pop")]
        )
        fault_record.held("no duplicate pop")
        fault_record.held("alert raised and cleared")


@pytest.mark.req("N-REL-1")
@scenario
async def test_freeswitch_restart_ends_its_calls_once_and_alerts(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord
) -> None:
    fault_record.fault = "FreeSWITCH restart"
    fault_record.injected = "stand-in stopped and started on the same port; channels gone"
    async with running(tmp_path, callpath_db) as rig:
        pops: list[tuple[str, str]] = []
        op1 = await rig.desk("op1")
        _bridged, talking = await answered_call(rig, op1, pops)
        waiting = await rig.call(digits="1")  # nobody free: it waits in the queue
        queued = await rig.contact_of(waiting)
        await rig.event("queue.joined", queued)
        faults = incidents.of(rig.ctx)
        generation = rig.switch.client.generation
        await rig.fs.restart()
        await until(
            lambda: rig.switch.client.connected and rig.switch.client.generation > generation,
            within=20,
            what="the ESL client to reconnect",
        )
        await rig.event("contact.ended", talking)
        await rig.event("contact.abandoned", queued)
        await op1.state("wrap_up")
        await until(lambda: not faults.is_open("switch_link", "esl"), what="the link to clear")
        # The restart itself is told by FreeSWITCH's new Core-UUID (next HEARTBEAT or event).
        await until(
            lambda: any(i.kind == "switch_restart" for i in faults.history),
            within=20,
            what="the restart to be noticed",
        )
        link = next(i for i in faults.history if i.kind == "switch_link")
        fault_record.detected_by = (
            "ESL connection closed -> switch_link; new Core-UUID -> switch_restart"
        )
        fault_record.recovery_s = link.recovery_s
        await stored_and_cleared(rig, "switch_restart")
        restart = alerts(rig.ctx.db, "switch_restart")[0]
        assert alert_detail(restart)["previous"] != alert_detail(restart)["current"]
        assert_one_end_per_call(rig.ctx.db, at_least=2)
        fault_record.held("one end per call")
        ended = [json.loads(e.payload) for e in rig.events(talking) if e.type == "contact.ended"]
        assert len(ended) == 1
        assert_no_duplicate_pops(
            pops + [(op1.username, p["contact_id"]) for p in op1.socket.pending("screen_pop")]
        )
        fault_record.held("no duplicate pop")
        fault_record.held("alert raised and cleared")
