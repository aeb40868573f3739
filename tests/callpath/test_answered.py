"""In hours: IVR choice, the longest-idle agent with the skill, screen pop, accept, recording."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest

from mediastore.store.config import store_from_settings
from tests.callpath.harness import CALLER, running, scenario


@pytest.mark.req(
    "F-1.2.1", "F-1.2.3", "F-1.3.1", "F-1.3.2", "F-1.4.1", "F-1.4.2", "F-2.1.1", "F-2.2.1"
)
@scenario
async def test_in_hours_call_reaches_longest_idle_skilled_agent_with_screen_pop(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op2 = await rig.desk("op2")  # tax level 1, ready first: longest idle
        op1 = await rig.desk("op1")  # tax level 2
        assert (await op2.ready())["callpath"]["state"] == "ready"
        assert (await op1.ready())["callpath"]["state"] == "ready"
        call = await rig.call(digits="2")
        pop = await op2.pop()
        contact = await rig.contact_of(call)
        assert pop["contact_id"] == contact
        assert pop["line"] == {"did": "0339811111", "label": "区代表（コールセンター）"}
        assert pop["menu"]["label"] == "税金"
        assert pop["queue"]["id"] == "q_tax"
        assert pop["waited_s"] >= 0
        assert pop["script"]["work_type"] == "税"
        assert [e["faq_id"] for e in pop["faq"]["entries"]] == ["F0041", "F0042"]
        assert CALLER not in json.dumps(pop, ensure_ascii=False)
        assert op1.socket.pending("screen_pop") == []
        answer = await op2.accept()
        assert answer["callpath"]["state"] == "on_call"
        await rig.event("contact.answered", contact)
        await rig.event("ivr.menu_chosen", contact, menu="tax", digits="2")
        # The agent's phone was called with auto-answer and bridged to the caller.
        live = rig.path.calls[contact]
        assert live.bridged
        assert live.agent == "op2"
        agent_leg = rig.fs.server.switch.channels[live.agent_uuid or ""]
        assert agent_leg.variables.get("sip_auto_answer") == "true"
        assert agent_leg.bridged_to == call.uuid
        await call.wait(3).hangup()
        await rig.event("contact.ended", contact, by="caller")
        await op2.state("wrap_up")
        stored = await rig.event("recording.stored", contact)
        recording_id = json.loads(stored.payload)["recording_id"]
        store = store_from_settings(rig.ctx.settings)
        assert store.exists(file_id=recording_id)
        with store.read_all(file_id=recording_id) as stream:
            data = b"".join(stream)
        with wave.open(io.BytesIO(data), "rb") as wav:
            assert wav.getnchannels() == 2  # stereo: caller and agent apart
            assert wav.getnframes() > 0
        assert not list((tmp_path / "recordings-spool").glob("*.wav"))
        types = rig.types(contact)
        assert types[:4] == ["contact.received", "ivr.menu_chosen", "queue.joined", "agent.offered"]
