"""Helpers for transfer scenarios on top of tests/callpath/harness.py."""

from __future__ import annotations

import json
from typing import Any

from switch.standin.channels import Channel
from switch.standin.script import Call
from tests.callpath.harness import Desk, Rig, until

DEPT_DIAL = "sofia/gateway/cityhall/2102"  # D02 区民部 区民課 証明係, extension 2102
D02_LABEL = "区民部 区民課 証明係"


async def connected_call(rig: Rig, desk: Desk, digits: str = "2") -> tuple[Call, str]:
    """A caller reaches ``desk`` (ready) and the agent accepts; the call is bridged."""
    assert (await desk.ready())["callpath"]["state"] == "ready"
    call = await rig.call(digits=digits)
    pop = await desk.pop()
    contact = await rig.contact_of(call)
    assert pop["contact_id"] == contact
    assert (await desk.accept())["callpath"]["state"] == "on_call"
    await rig.event("contact.answered", contact)
    return call, contact


def channel(rig: Rig, uuid: str | None) -> Channel | None:
    """A live stand-in channel by uuid (None when gone)."""
    found = rig.fs.server.switch.channels.get(uuid or "")
    return found if found is not None and found.alive else None


def department_leg(rig: Rig, dial: str = DEPT_DIAL) -> Channel | None:
    """The live channel the call path dialled for a department."""
    for ch in rig.fs.server.switch.channels.values():
        if ch.alive and ch.name == dial:
            return ch
    return None


async def wait_bridged(rig: Rig, a: str, b: str) -> None:
    """Until the stand-in has legs ``a`` and ``b`` bridged to each other."""

    def bridged() -> bool:
        ch = channel(rig, a)
        return ch is not None and ch.bridged_to == b

    await until(bridged, what=f"{a} bridged to {b}")


def payloads(rig: Rig, contact: str, type_: str) -> list[dict[str, Any]]:
    """Payloads of the contact's logged events of one type, in order."""
    return [json.loads(e.payload) for e in rig.events(contact) if e.type == type_]


async def transfer_http(desk: Desk, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST /api/agent/transfer as the desk's signed-in agent."""
    response = await desk.browser.post_json("/api/agent/transfer", body)
    return response.status_code, dict(response.json())
