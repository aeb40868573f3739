"""The stand-in's eavesdrop follows mod_dptools / switch_ivr_eavesdrop_session: the flags come
from the eavesdropper's variables, digits change them when DTMF is on, three_way mixes both
ways, a transfer ends the running eavesdrop (F-1.1.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.switch_integration.rig import Rig, rig, scenario, until
from tests.switch_integration.test_call_control import customer_with_agent

SUPERVISOR = "4a1d7a3e-0000-4000-8000-0000000e0009"


async def spy(r: Rig, agent: str, app: str = "eavesdrop", **variables: str) -> None:
    r.fs.register_agent("1009", answer_delay=0.1)
    await r.control.originate(
        uuid=SUPERVISOR,
        endpoint="user/1009",
        target=f"&{app}({agent})",
        variables=variables,
        auto_answer=True,
    )
    await r.log.wait_for("CHANNEL_EXECUTE", SUPERVISOR, Application=app)


async def hears(r: Rig, uuid: str, expected: set[str]) -> None:
    await until(lambda: r.fs.hears(uuid) == expected)


@pytest.mark.req("F-1.1.1")
@scenario
async def test_digits_move_the_eavesdroppers_voice_between_the_legs(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        await spy(r, agent)  # eavesdrop_enable_dtmf unset: digits are on by default
        await hears(r, SUPERVISOR, {customer, agent})
        assert r.fs.hears(agent) == {customer}
        r.fs.press(SUPERVISOR, "2")  # speak with the uuid (ED_MUX_WRITE): the agent
        await hears(r, agent, {customer, SUPERVISOR})
        assert r.fs.hears(customer) == {agent}
        r.fs.press(SUPERVISOR, "1")  # the other half (ED_MUX_READ): the customer
        await hears(r, customer, {agent, SUPERVISOR})
        assert r.fs.hears(agent) == {customer}
        r.fs.press(SUPERVISOR, "3")  # three way
        await hears(r, agent, {customer, SUPERVISOR})
        assert r.fs.hears(customer) == {agent, SUPERVISOR}
        r.fs.press(SUPERVISOR, "0")  # back to listening
        await hears(r, customer, {agent})
        await hears(r, agent, {customer})
        r.fs.press(SUPERVISOR, "*")  # leaves the eavesdrop
        done = await r.log.wait_for("CHANNEL_EXECUTE_COMPLETE", SUPERVISOR, Application="eavesdrop")
        assert done.get("Application-Data") == agent
        await hears(r, SUPERVISOR, set())


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize(
    ("variables", "agent_hears", "customer_hears"),
    [
        ({"eavesdrop_whisper_bleg": "true"}, True, False),
        ({"eavesdrop_whisper_aleg": "true"}, False, True),
        ({"eavesdrop_whisper_aleg": "true", "eavesdrop_whisper_bleg": "true"}, True, True),
    ],
)
@scenario
async def test_whisper_variables_choose_who_hears_the_eavesdropper(
    tmp_path: Path, variables: dict[str, str], agent_hears: bool, customer_hears: bool
) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        await spy(r, agent, eavesdrop_enable_dtmf="false", **variables)
        await hears(r, SUPERVISOR, {customer, agent})
        assert (SUPERVISOR in r.fs.hears(agent)) is agent_hears
        assert (SUPERVISOR in r.fs.hears(customer)) is customer_hears


@pytest.mark.req("F-1.1.1")
@scenario
async def test_three_way_mixes_both_ways_and_ends_with_the_target(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        await spy(r, agent, app="three_way")
        await hears(r, customer, {agent, SUPERVISOR})
        await hears(r, agent, {customer, SUPERVISOR})
        await r.control.kill(uuid=agent)
        await r.log.wait_for("CHANNEL_EXECUTE_COMPLETE", SUPERVISOR, Application="three_way")


@pytest.mark.req("F-1.1.1")
@scenario
async def test_transfer_inline_restarts_eavesdrop_with_new_variables(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        customer, agent = await customer_with_agent(r)
        await spy(r, agent, eavesdrop_enable_dtmf="false")
        await hears(r, SUPERVISOR, {customer, agent})
        await r.control.setvar(uuid=SUPERVISOR, name="eavesdrop_whisper_bleg", value="true")
        reply = await r.client.bgapi("uuid_transfer", f"{SUPERVISOR} eavesdrop:{agent} inline")
        assert reply == "+OK\n"
        await r.log.wait_for("CHANNEL_EXECUTE_COMPLETE", SUPERVISOR, Application="eavesdrop")
        await hears(r, agent, {customer, SUPERVISOR})
        assert r.fs.hears(customer) == {agent}
        assert r.fs.server.switch.channels[SUPERVISOR].alive
