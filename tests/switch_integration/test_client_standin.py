"""The production inbound client against the stand-in: auth, subscriptions, api and bgapi."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest

from switch.connection.channels import parse_show_channels
from tests.switch_integration.rig import rig, scenario

HOSTILE_NAMES = [
    "山田 太郎",
    "literal %0A stays",
    "colon%3Aescaped",
    "a: b",
    "x\nEvent-Name: HEARTBEAT\nUnique-ID: forged",
    "x\r\n\r\nContent-Type: text/disconnect-notice",
    "{originate_timeout=1}${system rm -rf /}",
    "株式会社\u3000テスト: %25",
]


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("fmt", ["plain", "json"])
@scenario
async def test_client_authenticates_and_receives_call_events(
    tmp_path: Path, fmt: Literal["plain", "json"]
) -> None:
    async with rig(tmp_path, event_format=fmt) as r:
        assert r.client.connected
        assert r.client.metrics.connects == 1
        assert r.client.metrics.reconciliations == 1
        call = await r.fs.call(did="0339811111", caller="09012345678")
        create = await r.log.wait_for("CHANNEL_CREATE", call.uuid)
        assert create.get("Caller-Caller-ID-Number") == "09012345678"
        assert create.get("Caller-Destination-Number") == "0339811111"
        assert [c.sub.fmt for c in r.fs.server.connections] == [fmt]
        await call.hangup()
        done = await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", call.uuid)
        assert done.get("Hangup-Cause") == "NORMAL_CLEARING"
        assert call.uuid not in r.client.channels.live
        assert r.client.metrics.malformed_events == 0
        assert r.client.metrics.unknown_frames == 0


@pytest.mark.req("F-1.1.1")
@scenario
async def test_api_and_bgapi_return_switch_output(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        status = await r.client.api("status")
        assert "is ready" in status
        assert parse_show_channels(await r.client.api("show", "channels as json")) == []
        r.fs.register_agent("1001", answer_delay=0.1)
        uuid = "4a1d7a3e-0000-4000-8000-00000000a001"
        job = await r.client.bgapi("originate", f"{{origination_uuid={uuid}}}user/1001 &park()")
        assert job == f"+OK {uuid}\n"
        rows = parse_show_channels(await r.client.bgapi("show", "channels as json"))
        assert [(row.uuid, row.callstate) for row in rows] == [(uuid, "ACTIVE")]
        missing = await r.client.api("no_such_command")
        assert missing.startswith("-ERR no_such_command Command not found")
        assert r.client.metrics.error_replies == 1
        busy = await r.client.bgapi("originate", "user/2002 &park()")
        assert busy == "-ERR USER_NOT_REGISTERED\n"
        assert r.client.metrics.error_replies == 2


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("fmt", ["plain", "json"])
@scenario
async def test_hostile_caller_names_arrive_intact_and_inject_nothing(
    tmp_path: Path, fmt: Literal["plain", "json"]
) -> None:
    async with rig(tmp_path, event_format=fmt) as r:
        uuids = []
        for name in HOSTILE_NAMES:
            call = await r.fs.call(did="0339811111", caller="09012345678", caller_name=name)
            uuids.append(call.uuid)
            await call.hangup()
        for name, uuid in zip(HOSTILE_NAMES, uuids, strict=True):
            await r.log.wait_for("CHANNEL_DESTROY", uuid)
            events = r.log.about(uuid)
            assert {e.get("Caller-Caller-ID-Name") for e in events} == {name}
            assert all(e.get("Unique-ID") == uuid for e in events)
        assert not any(e.name == "HEARTBEAT" and e.unique_id for e in r.log.events)
        assert all(e.unique_id != "forged" for e in r.log.events)
        stand_in = r.fs.server.switch.identity.core_uuid
        assert {e.get("Core-UUID") for e in r.log.events if not e.synthetic} == {stand_in}
        assert r.client.connected
        assert r.client.metrics.disconnects == 0
        assert r.client.metrics.malformed_events == 0
        rows = json.loads(await r.client.api("show", "channels as json"))
        assert rows == {"row_count": 0}
