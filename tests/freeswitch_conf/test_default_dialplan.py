"""Agents' own calls (default context): agent to agent, supervisor eavesdrop, rooms, call-backs."""

from __future__ import annotations

import pytest

from tests.freeswitch_conf.dialplan_eval import Channel, Dialplan


def agent_call(destination: str, *, role: str = "operator", outbound: str = "true") -> Channel:
    return Channel(
        destination_number=destination,
        context="default",
        caller_id_number="1001",
        variables={
            "madoguchi_agent": "1001",
            "madoguchi_role": role,
            "madoguchi_outbound": outbound,
            "domain_name": "madoguchi.local",
        },
    )


@pytest.mark.req("F-1.1.1")
def test_agent_to_agent_bridges_the_dialed_user(dialplan: Dialplan):
    pairs = dialplan.hunt(agent_call("1002")).pairs()
    assert ("hash", "insert/${domain_name}-spymap/1001/${uuid}") in pairs
    assert ("bridge", "user/1002@${domain_name}") in pairs


@pytest.mark.req("F-1.1.1")
def test_only_supervisors_can_eavesdrop(dialplan: Dialplan):
    supervisor = dialplan.hunt(agent_call("*01002", role="supervisor")).pairs()
    assert ("eavesdrop", "${hash(select/${domain_name}-spymap/1002)}") in supervisor
    operator = dialplan.hunt(agent_call("*01002")).pairs()
    assert not any(app == "eavesdrop" for app, _ in operator)
    assert operator[-1] == ("hangup", "UNALLOCATED_NUMBER")


@pytest.mark.req("F-1.1.1")
def test_conference_rooms(dialplan: Dialplan):
    assert ("conference", "2024@madoguchi") in dialplan.hunt(agent_call("*32024")).pairs()


@pytest.mark.req("F-1.1.1")
def test_call_backs_go_out_through_the_carrier_with_the_city_number(dialplan: Dialplan):
    pairs = dialplan.hunt(agent_call("0312345678")).pairs()
    assert ("bridge", "sofia/gateway/carrier/0312345678") in pairs
    assert ("set", "effective_caller_id_number=0339811111") in pairs
    blocked = dialplan.hunt(agent_call("0312345678", outbound="false")).pairs()
    assert blocked[-1] == ("hangup", "UNALLOCATED_NUMBER")
    assert not any(app == "bridge" for app, _ in blocked)


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize(
    "destination", ["0990123456", "+81312345678", "0011813123456", "110", "0312345678;x"]
)
def test_international_and_odd_numbers_are_not_dialed(dialplan: Dialplan, destination):
    pairs = dialplan.hunt(agent_call(destination)).pairs()
    assert not any(app == "bridge" and "gateway" in data for app, data in pairs)
