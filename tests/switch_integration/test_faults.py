"""Faults injected by the stand-in: drop, stall, restart, bad password, ACL rejection."""

from __future__ import annotations

from pathlib import Path

import pytest

from switch.connection.events import RECONCILED_HEADER
from tests.switch_integration.rig import rig, scenario, until


@pytest.mark.req("N-REL-1", "N-BCP-2")
@scenario
async def test_dropped_connection_reconnects_and_reports_what_was_missed(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        staying = await r.fs.call(did="0339811111", caller="09011110001")
        leaving = await r.fs.call(did="0339811111", caller="09011110002")
        await r.log.wait_for("CHANNEL_CREATE", leaving.uuid)
        await r.log.wait_for("CHANNEL_PARK", staying.uuid)
        assert set(r.client.channels.live) == {staying.uuid, leaving.uuid}
        first = r.client.generation
        # The connection breaks; while we are away one call ends, one starts, one is answered.
        r.fs.drop_esl()
        r.fs.server.switch.hangup(leaving.channel, "NORMAL_CLEARING")
        arriving = await r.fs.call(did="0339811111", caller="09011110003")
        r.fs.server.switch.answer(staying.channel)
        await until(lambda: r.client.generation > first and r.client.connected)
        assert r.client.metrics.disconnects == 1
        assert r.client.metrics.reconciliations == 2
        ended = await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", leaving.uuid)
        assert ended.synthetic
        assert ended.get(RECONCILED_HEADER) == "missing-from-switch"
        started = await r.log.wait_for("CHANNEL_CREATE", arriving.uuid)
        assert started.synthetic
        assert started.get("Caller-Caller-ID-Number") == "09011110003"
        answered = await r.log.wait_for("CHANNEL_ANSWER", staying.uuid)
        assert answered.synthetic
        assert answered.get(RECONCILED_HEADER) == "missed-answer"
        assert set(r.client.channels.live) == {staying.uuid, arriving.uuid}
        assert r.client.channels.live[staying.uuid].callstate == "ACTIVE"
        # Handlers are registered once: a new real event is logged exactly once.
        await arriving.hangup()
        await r.log.wait_for("CHANNEL_DESTROY", arriving.uuid)
        assert [e.name for e in r.log.about(arriving.uuid)].count("CHANNEL_HANGUP") == 1
        assert r.client.channels.live.keys() == {staying.uuid}


@pytest.mark.req("N-REL-1")
@scenario
async def test_silent_connection_is_detected_and_replaced(tmp_path: Path) -> None:
    # HEARTBEAT every 0.2 s (20 virtual s at 1/100 speed); silence allowed: 0.5 s.
    async with rig(tmp_path, silence_timeout=0.5, connect_timeout=0.3) as r:
        await r.log.wait_for("HEARTBEAT")
        first = r.client.generation
        r.fs.stall()
        await until(lambda: r.client.metrics.silent_disconnects == 1)
        assert not r.client.connected
        # The stalled switch does not greet new connections either: setup times out, retried.
        await until(lambda: r.client.metrics.connect_failures >= 1)
        r.fs.resume()
        await until(lambda: r.client.connected and r.client.generation > first)
        call = await r.fs.call(did="0339811111", caller="09012345678")
        await r.log.wait_for("CHANNEL_CREATE", call.uuid)


@pytest.mark.req("N-REL-1", "N-BCP-2")
@scenario
async def test_switch_restart_reports_every_call_ended(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        calls = [await r.fs.call(did="0339811111", caller=f"0901234000{i}") for i in range(3)]
        for call in calls:
            await r.log.wait_for("CHANNEL_PARK", call.uuid)
        old_core = r.fs.server.switch.identity.core_uuid
        first = r.client.generation
        await r.fs.restart()
        await until(lambda: r.client.generation > first and r.client.connected)
        for call in calls:
            gone = await r.log.wait_for("CHANNEL_HANGUP_COMPLETE", call.uuid)
            assert gone.synthetic
        assert r.client.channels.live == {}
        assert r.fs.server.switch.identity.core_uuid != old_core
        beat = await r.log.wait(lambda e: e.name == "HEARTBEAT" and e.connection > first)
        assert beat.get("Core-UUID") == r.fs.server.switch.identity.core_uuid


@pytest.mark.req("N-REL-1")
@scenario
async def test_wrong_password_is_counted_and_retried_without_connecting(tmp_path: Path) -> None:
    async with rig(tmp_path, password="wrong", connect=False) as r:
        await until(lambda: r.client.metrics.auth_failures >= 2)
        assert not r.client.connected
        assert r.client.metrics.connects == 0
        assert r.client.metrics.connect_failures >= 2


@pytest.mark.req("N-REL-1")
@scenario
async def test_rude_rejection_is_counted_and_recovers_when_allowed(tmp_path: Path) -> None:
    async with rig(tmp_path, connect=False) as r:
        first = r.client.generation
        r.fs.drop_esl()
        r.fs.deny_acl()
        await until(lambda: r.client.metrics.rude_rejections >= 1)
        assert r.client.metrics.auth_failures == 0
        r.fs.deny_acl(False)
        await until(lambda: r.client.connected and r.client.generation > first)
