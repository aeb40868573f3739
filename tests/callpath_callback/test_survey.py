"""The post-call satisfaction survey (N-SURVEY-1): handed over by the agent or sampled per line,
one DTMF score 1-5, wrong digits asked again, no score without a valid digit."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from switch.callpath.survey import sampled
from switch.standin.script import Call
from tests.callpath.harness import Desk, Rig, running, scenario, until
from tests.callpath_callback.support import configure, payload


async def connected_call(rig: Rig, desk: Desk) -> tuple[Call, str]:
    """A caller chooses menu 1 and is answered by ``desk``."""
    await desk.ready()
    call = await rig.call(digits="1")
    contact = await rig.contact_of(call)
    assert (await desk.pop())["contact_id"] == contact
    await desk.accept()
    await rig.event("contact.answered", contact)
    return call, contact


def agent_leg_hangs_up(rig: Rig, contact: str) -> None:
    live = rig.path.calls[contact]
    channel = rig.fs.server.switch.channels[live.agent_uuid or ""]
    rig.fs.server.switch.hangup(channel)


async def finished(rig: Rig, contact: str, call: Call) -> None:
    await until(lambda: contact not in rig.path.calls, what="the call to be finished")
    await until(lambda: not call.channel.alive, what="the caller's leg to end")


@pytest.mark.req("N-SURVEY-1", "R-ITEMS")
@scenario
async def test_agent_hands_the_caller_to_the_survey_and_a_wrong_digit_is_asked_again(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        answer = await op1.socket.call("survey", {})
        assert answer == {"ok": True, "survey": {"contact_id": contact, "mode": "handoff"}}
        await rig.event("contact.ended", contact, by="agent")
        await op1.state("wrap_up")
        await rig.event("survey.offered", contact, mode="handoff")
        assert call.channel.alive
        await call.press("8")  # not a score: asked again
        await call.wait(1).press("4")
        answered = await rig.event("survey.answered", contact)
        assert payload(answered) == {"score": 4, "mode": "handoff"}
        assert answered.agent == "op1"
        await finished(rig, contact, call)
        await rig.event("recording.stored", contact)


@pytest.mark.req("N-SURVEY-1")
@scenario
async def test_survey_hand_off_without_a_connected_call_is_refused(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        await op1.ready()
        answer = await op1.socket.call("survey", {})
        assert answer["error"] == "survey-no-call"
        refused = await op1.browser.post_json("/api/callpath/survey", {})
        assert refused.status_code == 409
        assert refused.json()["error"] == "survey-no-call"


@pytest.mark.req("N-SURVEY-1", "R-ITEMS")
@scenario
async def test_sampled_call_goes_to_the_survey_when_the_agent_hangs_up_first(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, survey_percent=100)
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        assert call.channel.variables.get("park_after_bridge") == "true"
        agent_leg_hangs_up(rig, contact)
        await rig.event("survey.offered", contact, mode="sampled")
        await call.press("5")
        answered = await rig.event("survey.answered", contact)
        assert payload(answered) == {"score": 5, "mode": "sampled"}
        await finished(rig, contact, call)


@pytest.mark.req("N-SURVEY-1")
@scenario
async def test_line_without_survey_share_ends_the_caller_with_the_agent(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_leg_hangs_up(rig, contact)
        await rig.event("contact.ended", contact, by="agent")
        await finished(rig, contact, call)
        assert "survey.offered" not in rig.types(contact)


@pytest.mark.req("N-SURVEY-1")
@scenario
async def test_survey_gives_up_without_a_score_after_the_tries(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db, callpath_survey_tries=3) as rig:
        await configure(rig, survey_percent=100)
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_leg_hangs_up(rig, contact)
        await rig.event("survey.offered", contact)
        await call.press("9")
        await call.wait(1).press("0")
        await call.wait(1).press("*")
        await finished(rig, contact, call)
        assert "survey.answered" not in rig.types(contact)


@pytest.mark.req("N-SURVEY-1")
@scenario
async def test_caller_hanging_up_mid_survey_leaves_no_score(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        await configure(rig, survey_percent=100)
        op1 = await rig.desk("op1")
        call, contact = await connected_call(rig, op1)
        agent_leg_hangs_up(rig, contact)
        await rig.event("survey.offered", contact)
        await call.hangup()
        await finished(rig, contact, call)
        assert "survey.answered" not in rig.types(contact)
        assert rig.types(contact).count("contact.ended") == 1


@pytest.mark.req("N-SURVEY-1")
def test_sampling_is_deterministic_per_contact_and_near_the_share() -> None:
    ids = [str(uuid.UUID(int=n)) for n in range(20_000)]
    chosen = [i for i in ids if sampled(i, 30)]
    assert 0.28 < len(chosen) / len(ids) < 0.32
    assert chosen == [i for i in ids if sampled(i, 30)]
    assert all(sampled(i, 60) for i in chosen)  # a larger share keeps the smaller one's calls
    assert not any(sampled(i, 0) for i in ids[:500])
    assert all(sampled(i, 100) for i in ids[:500])
