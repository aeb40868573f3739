"""The demo's scripted citizens (switch/standin/traffic.py) go through the real call path: an
impatient caller abandons in the queue, a patient one is answered and hangs up after talking."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from switch.calendar.model import MAIN_DID
from switch.standin.traffic import Caller, make_caller, run_caller
from tests.callpath.harness import running, scenario


@pytest.mark.req("F-1.3.3")
@scenario
async def test_demo_caller_nobody_answers_abandons_after_its_patience(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        caller = Caller(did=MAIN_DID, number="09000000001", digits="2", patience_s=30, talk_s=60)
        outcome = await run_caller(rig.fs, caller)
        assert outcome == "abandoned"
        abandoned = await rig.event("contact.abandoned", stage="queue")
        assert abandoned.contact_id is not None
        assert "09000000001" not in abandoned.payload


@pytest.mark.req("F-1.3.1")
@scenario
async def test_demo_caller_is_answered_talks_and_hangs_up(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        await op1.ready()
        caller = Caller(did=MAIN_DID, number="09000000002", digits="1", patience_s=600, talk_s=20)
        played = asyncio.ensure_future(run_caller(rig.fs, caller))
        pop = await op1.pop()
        await op1.accept()
        assert await played == "answered"
        ended = await rig.event("contact.ended", pop["contact_id"], by="caller")
        assert ended.agent is None or ended.agent == "op1"


def test_demo_callers_follow_the_menu_shape() -> None:
    rng = random.Random(7)
    callers = [make_caller(rng) for _ in range(2000)]
    menus = [c.digits for c in callers if c.did == MAIN_DID]
    assert 0.05 < 1 - len(menus) / len(callers) < 0.15  # about one in ten on the COVID-19 line
    assert set(menus) == {"1", "2", "3", "4", "9"}
    assert menus.count("1") > menus.count("4") > menus.count("9")
    assert all(60 <= c.patience_s <= 240 and 60 <= c.talk_s <= 180 for c in callers)
    assert len({c.number for c in callers}) > 1990
