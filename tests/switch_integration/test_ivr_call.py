"""A scripted inbound call reaches our outbound server: IVR, digits, bridge to an agent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from switch.connection.outbound import OutboundSession, SessionState
from tests.switch_integration.rig import rig, scenario

LIFECYCLE = [
    "CHANNEL_CREATE",
    "CHANNEL_ANSWER",
    "CHANNEL_BRIDGE",
    "CHANNEL_HANGUP",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_DESTROY",
]


class Ivr:
    """The call flow under test: answer, greet, menu, bridge to the agent, remember results."""

    def __init__(self) -> None:
        self.digits: str | None = None
        self.played: str | None = None
        self.session: OutboundSession | None = None
        self.finished = asyncio.Event()

    async def __call__(self, session: OutboundSession) -> None:
        self.session = session
        try:
            await session.answer()
            self.played = await session.playback("ivr/ja/welcome.wav")
            self.digits = await session.play_and_get_digits(
                file="ivr/ja/menu.wav", timeout_ms=30000, tries=1
            )
            if self.digits == "1":
                await session.bridge("user/1001")
        finally:
            self.finished.set()


@pytest.mark.req("F-1.1.1")
@scenario
async def test_scripted_call_runs_the_ivr_and_reaches_the_agent(tmp_path: Path) -> None:
    ivr = Ivr()
    async with rig(tmp_path, handler=ivr) as r:
        r.fs.register_agent("1001", auto_answer=True, answer_delay=0.5)
        call = await r.fs.call(did="0339811111", caller="09012345678")
        # The caller listens to the menu prompt for 2 s, presses 1 and stays 40 s with the agent.
        await r.log.wait_for("CHANNEL_EXECUTE", call.uuid, Application="play_and_get_digits")
        await call.wait(2).press("1").hangup_after(40)
        await asyncio.wait_for(ivr.finished.wait(), 10)
        assert ivr.played == "FILE PLAYED"
        assert ivr.digits == "1"
        session = ivr.session
        assert session is not None
        assert session.uuid == call.uuid
        await session.wait_for_state(SessionState.CLOSED, within=10)
        assert session.history == [
            SessionState.CONNECTING,
            SessionState.CONNECTED,
            SessionState.ANSWERED,
            SessionState.BRIDGED,
            SessionState.HUNG_UP,
            SessionState.CLOSED,
        ]
        bridge = await r.log.wait_for("CHANNEL_BRIDGE", call.uuid)
        agent_uuid = bridge.get("Bridge-B-Unique-ID")
        assert agent_uuid
        assert agent_uuid != call.uuid
        await r.log.wait_for("CHANNEL_DESTROY", call.uuid)
        await r.log.wait_for("CHANNEL_DESTROY", agent_uuid)
        a_leg = [e.name for e in r.log.about(call.uuid) if e.name in LIFECYCLE]
        assert a_leg == LIFECYCLE
        b_leg = [e.name for e in r.log.about(agent_uuid) if e.name in LIFECYCLE]
        assert b_leg == [
            "CHANNEL_CREATE",
            "CHANNEL_ANSWER",
            "CHANNEL_HANGUP",
            "CHANNEL_HANGUP_COMPLETE",
            "CHANNEL_DESTROY",
        ]
        agent_create = next(e for e in r.log.about(agent_uuid) if e.name == "CHANNEL_CREATE")
        assert agent_create.get("Caller-Destination-Number") == "1001"
        assert agent_create.get("Call-Direction") == "outbound"
        # The bridge happened after the digit, the digit after the answer.
        names = [e.name for e in r.log.about(call.uuid)]
        assert names.index("CHANNEL_ANSWER") < names.index("DTMF") < names.index("CHANNEL_BRIDGE")
        dtmf = next(e for e in r.log.about(call.uuid) if e.name == "DTMF")
        assert dtmf.get("DTMF-Digit") == "1"
        # The caller's hangup ends the agent's leg with the same cause.
        agent_done = next(e for e in r.log.about(agent_uuid) if e.name == "CHANNEL_HANGUP_COMPLETE")
        assert agent_done.get("Hangup-Cause") == "NORMAL_CLEARING"
        # Event-Sequence only grows: the client delivered every event in FreeSWITCH's order.
        sequences = [e.esl.sequence or 0 for e in r.log.events if not e.synthetic]
        assert sequences == sorted(sequences)
        assert len(set(sequences)) == len(sequences)
        assert r.client.channels.live == {}
        assert r.outbound is not None
        assert r.outbound.metrics.handler_errors == 0
        assert r.outbound.metrics.invalid_transitions == 0


@pytest.mark.req("F-1.1.1")
@scenario
async def test_caller_hanging_up_during_the_menu_ends_the_session(tmp_path: Path) -> None:
    ivr = Ivr()
    async with rig(tmp_path, handler=ivr) as r:
        call = await r.fs.call(did="0339811111", caller="09012345678")
        await call.wait(1.5).hangup()
        await asyncio.wait_for(ivr.finished.wait(), 10)
        assert ivr.digits in (None, "")
        assert ivr.session is not None
        await ivr.session.wait_for_state(SessionState.CLOSED, within=10)
        assert SessionState.BRIDGED not in ivr.session.history
        await r.log.wait_for("CHANNEL_DESTROY", call.uuid)
        assert r.client.channels.live == {}
