"""Who may supervise and how several supervisors share a call: one barge at a time, listeners
unlimited; operators are refused; an unreachable phone or a call not connected is reported
(F-1.1.1, F-1.1.4)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pyotp
import pytest

from realtime.auth.permissions import Role
from tests.callpath.harness import running, scenario
from tests.callpath_supervise.helpers import (
    audit_rows,
    connected,
    hearing,
    monitor_of,
    supervision,
    supervisor_socket,
    supervisors,
)
from tests.support.app import add_user

CM_TOTP = pyotp.random_base32()

ROUTES = {
    "/api/callpath/supervise": {"contact_id": "x", "mode": "listen"},
    "/api/callpath/supervise/stop": {"contact_id": "x"},
    "/api/callpath/agents/not-ready": {"agent": "op1", "reason": "x"},
    "/api/callpath/requeue": {"contact_id": "x"},
}


@pytest.mark.req("F-1.1.1")
@scenario
async def test_two_supervisors_barging_at_once_one_wins_the_other_may_listen(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        browsers = await supervisors(rig)
        talk = await connected(rig)
        body = {"contact_id": talk.contact, "mode": "barge"}
        first, second = await asyncio.gather(
            browsers["sv"].post_json("/api/callpath/supervise", body),
            browsers["sv2"].post_json("/api/callpath/supervise", body),
        )
        replies = sorted([first, second], key=lambda r: r.status_code)
        assert [r.status_code for r in replies] == [200, 409]
        refused = replies[1].json()
        assert refused["error"] == "supervise-busy"
        assert refused["message"] == (
            "別のスーパーバイザーがこの通話に割り込み中です。モニタリング（聞くだけ）はできます。"
        )
        winner = replies[0].json()["monitor"]["supervisor"]
        loser = "sv2" if winner == "sv" else "sv"
        barger = monitor_of(rig, talk.contact, winner).uuid
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid, barger})
        assert len(audit_rows(rig, "call-barge")) == 1
        # The other supervisor may listen, but not switch to barge while the first barges.
        listen = await browsers[loser].post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "listen"}
        )
        assert listen.status_code == 200, listen.text
        listener = monitor_of(rig, talk.contact, loser).uuid
        await hearing(rig, listener, {talk.agent_uuid, talk.caller_uuid})
        again = await browsers[loser].post_json("/api/callpath/supervise", body)
        assert again.status_code == 409
        assert again.json()["error"] == "supervise-busy"
        # Once the first stops, the barge is free.
        stop = await browsers[winner].post_json(
            "/api/callpath/supervise/stop", {"contact_id": talk.contact}
        )
        assert stop.status_code == 200
        now = await browsers[loser].post_json("/api/callpath/supervise", body)
        assert now.status_code == 200, now.text
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid, listener})
        assert len(supervision(rig).of_call(talk.contact)) == 1
        await talk.call.hangup()


@pytest.mark.req("F-1.1.1", "F-1.1.4")
@scenario
async def test_operators_are_refused_every_supervisor_action(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op = await rig.staff("op2")
        for path, body in ROUTES.items():
            reply = await op.post_json(path, body)
            assert reply.status_code == 403, (path, reply.text)
            assert reply.json()["error"] == "permission-denied"


@pytest.mark.req("F-1.1.1")
@scenario
async def test_unreachable_phone_and_unconnected_calls_are_reported(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        browsers = await supervisors(rig, register=False)
        sv = browsers["sv"]
        unknown = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": "no-such-call", "mode": "listen"}
        )
        assert unknown.status_code == 404
        assert unknown.json()["error"] == "supervise-no-call"
        bad_mode = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": "no-such-call", "mode": "shout"}
        )
        assert bad_mode.status_code == 422
        # A call still in the queue has no agent leg to join.
        waiting = await rig.call(digits="3")
        queued = await rig.contact_of(waiting)
        await rig.event("queue.joined", queued)
        not_yet = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": queued, "mode": "listen"}
        )
        assert not_yet.status_code == 404
        await waiting.hangup()
        talk = await connected(rig)
        # sv's phone is configured but not registered: FreeSWITCH answers USER_NOT_REGISTERED.
        offline = await sv.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "listen"}
        )
        assert offline.status_code == 409
        assert offline.json()["error"] == "supervise-phone-unreachable"
        assert supervision(rig).of_call(talk.contact) == []
        assert audit_rows(rig, "call-listen") == []
        await hearing(rig, talk.caller_uuid, {talk.agent_uuid})
        # A center manager without a configured phone gets the same answer.
        add_user(rig.app, "cm", Role.CENTER_MANAGER, totp_secret=CM_TOTP)
        manager = await rig.staff("cm", CM_TOTP)
        nophone = await manager.post_json(
            "/api/callpath/supervise", {"contact_id": talk.contact, "mode": "listen"}
        )
        assert nophone.status_code == 409
        assert nophone.json()["error"] == "supervise-phone-unreachable"
        await talk.call.hangup()


@pytest.mark.req("F-1.1.1", "F-1.1.4")
@scenario
async def test_supervisor_socket_events_do_the_same_and_leaders_are_refused(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        browsers = await supervisors(rig)
        socket = await supervisor_socket(rig, browsers["sv"])
        talk = await connected(rig)
        ack = await socket.call("supervise", {"contact_id": talk.contact, "mode": "whisper"})
        assert ack["monitor"] == {
            "contact_id": talk.contact,
            "mode": "whisper",
            "supervisor": "sv",
            "agent": "op1",
        }
        leg = monitor_of(rig, talk.contact, "sv").uuid
        await hearing(rig, talk.agent_uuid, {talk.caller_uuid, leg})
        assert (await socket.next("monitor_changed"))["mode"] == "whisper"
        missing = await socket.call("requeue", {"contact_id": "no-such-call"})
        assert missing["error"] == "supervise-no-call"
        busy = await socket.call("force_not_ready", {"agent": "op1", "reason": "研修"})
        assert busy["error"] == "agent-not-idle"
        stop = await socket.call("supervise_stop", {"contact_id": talk.contact})
        assert stop["monitor"]["mode"] is None
        add_user(rig.app, "ld", Role.LEADER)
        leader = await rig.staff("ld")
        watcher = await supervisor_socket(rig, leader)
        refused = await watcher.call("supervise", {"contact_id": talk.contact, "mode": "barge"})
        assert refused["error"] == "permission-denied"
        assert supervision(rig).of_call(talk.contact) == []
        await talk.call.hangup()
