"""The stand-in's inbound Event Socket: auth, commands, api/bgapi and the call event order."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from switch.esl import EslEvent
from switch.standin import FreeSwitchStandIn
from tests.switch_standin.client import EslClient, eventually


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]


@pytest.mark.req("F-1.1.1")
def test_auth_accepts_the_password_and_refuses_others_then_disconnects(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path, password="s3cret")
        await fs.start()
        good = await EslClient.connect(fs.port)
        await good.login("s3cret")
        bad = await EslClient.connect(fs.port)
        assert (await bad.frame()).content_type == "auth/request"
        early = await bad.send(b"api status\n\n")
        assert early.header("Reply-Text") == "-ERR command not found"
        reply = await bad.send(b"auth wrong\n\n")
        assert reply.header("Reply-Text") == "-ERR invalid"
        notice = await bad.frame()
        assert notice.content_type == "text/disconnect-notice"
        assert notice.body.startswith(b"Disconnected, goodbye.")
        with pytest.raises(EOFError):
            await bad.frame()
        bye = await good.send(b"exit\n\n")
        assert bye.header("Reply-Text") == "+OK bye"
        assert (await good.frame()).content_type == "text/disconnect-notice"
        good.close()
        bad.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("F-1.1.1")
def test_command_replies_are_freeswitch_texts(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path)
        await fs.start()
        c = await EslClient.connect(fs.port)
        await c.login()
        texts = {}
        for command in [
            b"noevents\n\n",
            b"event plain CHANNEL_CREATE CUSTOM spandsp::rxfaxresult\n\n",
            b"event json ALL\n\n",
            b"filter Unique-ID abc\n\n",
            b"filter delete Unique-ID abc\n\n",
            b"nixevent CHANNEL_CREATE\n\n",
            b"linger\n\n",
            b"noevents\n\n",
            b"sendmsg 00000000-0000-0000-0000-000000000000\ncall-command: hangup\n\n",
        ]:
            texts[command.split(b"\n")[0].decode()] = (await c.send(command)).header("Reply-Text")
        assert texts == {
            "noevents": "+OK no longer listening for events",
            "event plain CHANNEL_CREATE CUSTOM spandsp::rxfaxresult": (
                "+OK event listener enabled plain"
            ),
            "event json ALL": "+OK event listener enabled json",
            "filter Unique-ID abc": "+OK filter added. [Unique-ID]=[abc]",
            "filter delete Unique-ID abc": "+OK filter deleted. [Unique-ID]=[abc]",
            "nixevent CHANNEL_CREATE": "+OK events nixed",
            "linger": "-ERR not controlling a session",
            "sendmsg 00000000-0000-0000-0000-000000000000": (
                "-ERR invalid session id [00000000-0000-0000-0000-000000000000]"
            ),
        }
        missing = await c.send(b"api nosuchthing now\n\n")
        assert missing.body == b"-ERR nosuchthing Command not found!\n"
        kill = await c.send(b"api uuid_kill 00000000-0000-0000-0000-000000000000\n\n")
        assert kill.body == b"-ERR No Such Channel!\n"
        bridge = await c.send(b"api uuid_bridge a b\n\n")
        assert bridge.body == b"-ERR Invalid uuid\n"
        shown = await c.send(b"api show channels as json\n\n")
        assert shown.body == b'{"row_count": 0}\n'
        c.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("F-1.1.1")
def test_bgapi_replies_with_job_uuid_then_fires_background_job(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path)
        await fs.start()
        fs.register_agent("1001", answer_delay=0.01)
        c = await EslClient.connect(fs.port)
        await c.login()
        await c.send(b"event plain BACKGROUND_JOB CHANNEL_ANSWER\n\n")
        reply = await c.send(
            b"bgapi originate {origination_uuid=4a1d7a3e-0000-4000-8000-000000000001,"
            b"sip_auto_answer=true}user/1001 &park()\nJob-UUID: job-1\n\n"
        )
        assert reply.raw_headers == (
            ("Content-Type", "command/reply"),
            ("Reply-Text", "+OK Job-UUID: job-1"),
            ("Job-UUID", "job-1"),
        )
        _, answer = await c.event("CHANNEL_ANSWER")
        assert answer.unique_id == "4a1d7a3e-0000-4000-8000-000000000001"
        _, job = await c.event("BACKGROUND_JOB")
        assert job.job_uuid == "job-1"
        assert job.get("Job-Command") == "originate"
        assert job.body_text == "+OK 4a1d7a3e-0000-4000-8000-000000000001\n"
        listed = await c.send(b"api show channels as json\n\n")
        rows = json.loads(listed.body)["rows"]
        assert [r["uuid"] for r in rows] == ["4a1d7a3e-0000-4000-8000-000000000001"]
        assert rows[0]["callstate"] == "ACTIVE"
        busy = await c.send(b"api originate user/2002 &park()\n\n")
        assert busy.body == b"-ERR USER_NOT_REGISTERED\n"
        c.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("F-1.1.1")
def test_inbound_call_events_come_in_freeswitch_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path, scale=0.01)
        await fs.start()
        c = await EslClient.connect(fs.port)
        await c.login()
        await c.send(b"event plain ALL\n\n")
        call = await fs.call(did="0339811111", caller="09012345678")
        answered = await c.send(f"api uuid_answer {call.uuid}\n\n".encode())
        assert answered.body == b"-ERR no reply\n"
        await call.hangup()
        events = await c.events_until("CHANNEL_DESTROY")
        names = [
            (e.name, e.get("Channel-State"), e.get("Channel-Call-State"))
            for e in events
            if e.unique_id == call.uuid and e.name != "CHANNEL_EXECUTE"
        ]
        assert names == [
            ("CHANNEL_STATE", "CS_INIT", "DOWN"),
            ("CHANNEL_CREATE", "CS_INIT", "DOWN"),
            ("CHANNEL_STATE", "CS_ROUTING", "DOWN"),
            ("CHANNEL_CALLSTATE", "CS_ROUTING", "RINGING"),
            ("CHANNEL_STATE", "CS_EXECUTE", "RINGING"),
            ("CHANNEL_PARK", "CS_PARK", "RINGING"),
            ("CHANNEL_ANSWER", "CS_PARK", "RINGING"),
            ("CHANNEL_CALLSTATE", "CS_PARK", "ACTIVE"),
            ("CHANNEL_HANGUP", "CS_PARK", "ACTIVE"),
            ("CHANNEL_CALLSTATE", "CS_PARK", "HANGUP"),
            ("CHANNEL_EXECUTE_COMPLETE", "CS_PARK", "HANGUP"),
            ("CHANNEL_STATE", "CS_HANGUP", "HANGUP"),
            ("CHANNEL_STATE", "CS_REPORTING", "HANGUP"),
            ("CHANNEL_HANGUP_COMPLETE", "CS_REPORTING", "HANGUP"),
            ("CHANNEL_CALLSTATE", "CS_DESTROY", "DOWN"),
            ("CHANNEL_DESTROY", "CS_DESTROY", "DOWN"),
        ]
        complete = next(e for e in events if e.name == "CHANNEL_HANGUP_COMPLETE")
        assert complete.hangup_cause == "NORMAL_CLEARING"
        assert complete.caller_id_number == "09012345678"
        assert complete.destination_number == "0339811111"
        sequences = [int(e["Event-Sequence"]) for e in events]
        assert sequences == sorted(sequences)
        c.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("N-REL-1")
def test_heartbeat_carries_uptime_and_session_count(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path, scale=0.001, heartbeat_interval=20)
        await fs.start()
        c = await EslClient.connect(fs.port)
        await c.login()
        await c.send(b"event plain HEARTBEAT\n\n")
        _, beat = await c.event("HEARTBEAT")
        for name in ("Event-Info", "Up-Time", "Uptime-msec", "Session-Count", "Idle-CPU"):
            assert beat.get(name) is not None, name
        assert beat.get("Session-Count") == "0"
        assert beat.get("Event-Info") == "System Ready"
        c.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("N-REL-1")
def test_drop_stall_and_restart(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path)
        await fs.start()
        c = await EslClient.connect(fs.port)
        await c.login()
        fs.drop_esl()
        with pytest.raises((EOFError, ConnectionError)):
            await c.frame()
        c.close()
        c = await EslClient.connect(fs.port)
        await c.login()
        first = await c.send(b"api uptime\n\n")
        assert first.content_type == "api/response"
        fs.stall()
        c.writer.write(b"api status\n\n")
        with pytest.raises(TimeoutError):
            await c.frame(limit=0.2)
        assert not c.reader.at_eof()
        fs.resume()
        late = await c.frame()
        assert late.body.startswith(b"UP ")
        await c.send(b"event plain CHANNEL_CREATE\n\n")
        call = await fs.call(did="0339811111", caller="09012345678")
        _, created = await c.event("CHANNEL_CREATE")
        before = created.get("Core-UUID")
        await fs.restart()
        with pytest.raises((EOFError, ConnectionError)):
            await c.frame()
        c.close()
        assert call.uuid not in fs.server.switch.channels
        c = await EslClient.connect(fs.port)
        await c.login()
        await c.send(b"event plain CHANNEL_CREATE\n\n")
        await fs.call(did="0339811111", caller="09012345678")
        _, again = await c.event("CHANNEL_CREATE")
        assert again.get("Core-UUID") != before
        await eventually(lambda: len(fs.server.switch.channels) == 1)
        c.close()
        await fs.stop()

    run(scenario())


def test_event_json_has_the_same_headers_as_plain(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path)
        await fs.start()
        plain = await EslClient.connect(fs.port)
        await plain.login()
        await plain.send(b"event plain CHANNEL_CREATE\n\n")
        js = await EslClient.connect(fs.port)
        await js.login()
        await js.send(b"event json CHANNEL_CREATE\n\n")
        await fs.call(did="0339811111", caller="09012345678", caller_name="山田 太郎")
        _, a = await plain.event("CHANNEL_CREATE")
        frame, b = await js.event("CHANNEL_CREATE")
        assert frame.content_type == "text/event-json"
        assert [k for k, _ in a.items()] == [k for k, _ in b.items()]
        assert a.caller_id_name == b.caller_id_name == "山田 太郎"
        assert isinstance(EslEvent.from_frame(frame), EslEvent)
        plain.close()
        js.close()
        await fs.stop()

    run(scenario())
