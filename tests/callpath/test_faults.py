"""Bad input and broken pieces: DTMF garbage, callers hanging up at every step, desks closing,
phones that do not answer, the ESL connection dropping mid-call (nothing lost, states right)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.callpath.harness import running, scenario, until
from tests.realtime.live import HubClient


@pytest.mark.req("F-1.2.3", "F-1.2.6")
@scenario
async def test_dtmf_garbage_gets_retries_then_guidance(tmp_path: Path, callpath_db: Path) -> None:
    async with running(tmp_path, callpath_db) as rig:
        call = await rig.call(digits="7#*")
        contact = await rig.contact_of(call)
        failed = await rig.event("ivr.input_failed", contact)
        assert json.loads(failed.payload) == {"menu": "main", "attempts": 3, "last": "invalid"}
        await rig.event("contact.ended", contact, by="system")
        assert "queue.joined" not in rig.types(contact)
        assert "ivr.menu_chosen" not in rig.types(contact)
        silent = await rig.call()
        quiet = await rig.contact_of(silent)
        failed = await rig.event("ivr.input_failed", quiet)
        assert json.loads(failed.payload)["last"] == "none"


@pytest.mark.req("F-1.2.6", "F-1.3.1")
@scenario
async def test_caller_hanging_up_at_each_step_leaves_consistent_state(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        # In the menu, before choosing.
        menu = await rig.call()
        in_menu = await rig.contact_of(menu)
        await menu.wait(1).hangup()
        await rig.event("contact.abandoned", in_menu, stage="ivr")
        # While ringing on an agent's desk: the agent is ready again, the offer withdrawn.
        op1 = await rig.desk("op1")
        await op1.ready()
        ringing = await rig.call(digits="1")
        offered = await rig.contact_of(ringing)
        await op1.pop()
        await ringing.hangup()
        await rig.event("contact.abandoned", offered, stage="offered")
        assert (await op1.socket.next("offer_withdrawn"))["contact_id"] == offered
        await op1.state("ready")
        late = await op1.accept()
        assert late["error"] == "callpath-no-offer"
        # During guidance after hours.
        from tests.callpath.harness import WEEKDAY_9PM

        rig.at(WEEKDAY_9PM)
        night = await rig.call()
        at_night = await rig.contact_of(night)
        await rig.event("ivr.guidance_played", at_night)
        await night.hangup()
        await until(lambda: at_night not in rig.path.calls, what="the night call to end")
        ends = [e.type for e in rig.events(at_night) if e.type.startswith("contact.")]
        assert ends == ["contact.received", "contact.ended"]
        await until(lambda: not rig.path.calls, what="every call to be forgotten")
        assert rig.path.engine.contacts() == {}
        assert rig.path.engine.agent("op1").state.value == "ready"


@pytest.mark.req("F-1.4.2", "F-1.3.2")
@scenario
async def test_closing_the_desk_mid_call_keeps_the_call_and_reconnect_restores_it(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        await op1.ready()
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await op1.pop()
        await op1.accept()
        await rig.event("contact.answered", contact)
        await op1.socket.close()
        await until(lambda: not rig.ctx.hub._local, what="the server to see the desk close")
        assert rig.path.engine.agent("op1").state.value == "on_call"
        assert call.uuid in rig.fs.server.switch.channels
        again = HubClient(rig.url, "/agent", cookie=op1.browser.cookie_header)
        rig.closers.append(again.close)
        await again.connect()
        snapshot = await again.next("snapshot")
        mine = snapshot["callpath"]
        assert mine["state"] == "on_call"
        assert mine["contact"]["contact_id"] == contact
        assert mine["contact"]["connected"] is True
        await call.hangup()
        await rig.event("contact.ended", contact)
        pushed = await again.next("agent_state")
        assert pushed["state"] == "wrap_up"


@pytest.mark.req("F-1.3.2", "F-1.4.2")
@scenario
async def test_desk_closed_while_ringing_offers_the_call_to_the_next_agent(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op2 = await rig.desk("op2")
        op1 = await rig.desk("op1")
        await op2.ready()
        await op1.ready()
        call = await rig.call(digits="2")
        contact = await rig.contact_of(call)
        await op2.pop()
        await op2.socket.close()
        assert (await op1.pop())["contact_id"] == contact
        assert rig.path.engine.agent("op2").state.value == "signed_out"
        await call.hangup()
        await rig.event("contact.abandoned", contact, stage="offered")


@pytest.mark.req("F-1.3.2")
@scenario
async def test_unreachable_phone_sends_the_call_to_the_next_agent(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op2 = await rig.desk("op2")
        op1 = await rig.desk("op1")
        await op2.ready()
        await op1.ready()
        rig.fs.unregister_agent("1002")  # op2's WebRTC phone is not registered
        call = await rig.call(digits="2")
        contact = await rig.contact_of(call)
        await op2.pop()
        refused = await op2.accept()
        assert refused["error"] == "callpath-phone-unreachable"
        assert "電話機" in refused["message"]
        assert (await op1.pop())["contact_id"] == contact
        await op1.accept()
        await rig.event("contact.answered", contact, within=5)
        await call.hangup()
        await rig.event("contact.ended", contact)


@pytest.mark.req("F-1.1.1", "F-1.3.2", "F-2.2.1")
@scenario
async def test_esl_drop_mid_call_keeps_the_call_and_states(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        await op1.ready()
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await op1.pop()
        await op1.accept()
        await rig.event("contact.answered", contact)
        generation = rig.switch.client.generation
        rig.fs.drop_esl()
        await until(
            lambda: rig.switch.client.connected and rig.switch.client.generation > generation,
            what="the ESL client to reconnect",
        )
        # The call survived the drop, and nobody was told otherwise.
        assert call.uuid in rig.fs.server.switch.channels
        assert rig.path.engine.agent("op1").state.value == "on_call"
        assert "contact.ended" not in rig.types(contact)
        await call.wait(1).hangup()
        await rig.event("contact.ended", contact, by="caller")
        await op1.state("wrap_up")
        await rig.event("recording.stored", contact)


@pytest.mark.req("F-1.1.1", "F-1.3.2", "F-2.2.1")
@scenario
async def test_hangup_during_esl_outage_is_reconciled(tmp_path: Path, callpath_db: Path) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        await op1.ready()
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await op1.pop()
        await op1.accept()
        await rig.event("contact.answered", contact)
        rig.fs.drop_esl()
        rig.fs.server.switch.hangup(call.channel, "NORMAL_CLEARING")  # while nobody listens
        await rig.event("contact.ended", contact)
        await op1.state("wrap_up")
        stored = await rig.event("recording.stored", contact)
        assert json.loads(stored.payload)["duration_s"] >= 0
        assert rig.switch.client.metrics.snapshot()["reconciled_events"] >= 1
