"""What the supervision scenarios share: supervisors' phones, a connected call, audit rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyotp
from sqlmodel import col, select

from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from switch.callpath.supervise import Monitor, Supervision
from switch.standin.script import Call
from tests.callpath.harness import ADMIN_TOTP, SV_TOTP, Desk, Rig, until
from tests.realtime.live import Browser, HubClient
from tests.support.app import add_user

SV2_TOTP = pyotp.random_base32()
PHONES = {"sv": "1009", "sv2": "1010"}


@dataclass
class Connected:
    """A caller talking to an agent."""

    call: Call
    contact: str
    desk: Desk
    caller_uuid: str
    agent_uuid: str


async def supervisors(rig: Rig, *, register: bool = True) -> dict[str, Browser]:
    """sv and sv2 signed in, their phones configured by the admin (skills empty) and registered."""
    add_user(rig.app, "sv2", Role.SUPERVISOR, totp_secret=SV2_TOTP)
    admin = await rig.staff("admin", ADMIN_TOTP)
    for username, extension in PHONES.items():
        saved = await admin.post_json(
            "/api/callpath/agents", {"username": username, "extension": extension, "skills": {}}
        )
        assert saved.status_code == 200, saved.text
        if register:
            rig.fs.register_agent(extension, answer_delay=0.2)
    await until(lambda: rig.path._config is not None and "sv2" in rig.path._config.agents)
    return {
        "sv": await rig.staff("sv", SV_TOTP),
        "sv2": await rig.staff("sv2", SV2_TOTP),
    }


async def supervisor_socket(rig: Rig, browser: Browser) -> HubClient:
    """A /supervisor socket of a signed-in supervisor."""
    socket = HubClient(rig.url, "/supervisor", cookie=browser.cookie_header)
    await socket.connect()
    await socket.next("snapshot")
    rig.closers.append(socket.close)
    return socket


async def connected(rig: Rig, agent: str = "op1", digits: str = "1") -> Connected:
    """``agent`` ready, a call to the menu ``digits``, accepted: caller and agent bridged."""
    desk = await rig.desk(agent)
    await desk.ready()
    call = await rig.call(digits=digits)
    contact = await rig.contact_of(call)
    assert (await desk.pop())["contact_id"] == contact
    accepted = await desk.accept()
    assert accepted["callpath"]["contact"]["contact_id"] == contact, accepted
    await rig.event("contact.answered", contact)
    agent_uuid = rig.path.calls[contact].agent_uuid
    assert agent_uuid is not None
    await until(lambda: rig.fs.hears(call.uuid) == {agent_uuid}, what="caller and agent bridged")
    return Connected(call, contact, desk, call.uuid, agent_uuid)


def supervision(rig: Rig) -> Supervision:
    found = rig.ctx.extras["supervision"]
    assert isinstance(found, Supervision)
    return found


def monitor_of(rig: Rig, contact: str, supervisor: str) -> Monitor:
    return next(m for m in supervision(rig).of_call(contact) if m.supervisor == supervisor)


async def hearing(rig: Rig, uuid: str, expected: set[str]) -> None:
    """Wait until the party on ``uuid`` hears exactly ``expected``."""
    await until(
        lambda: rig.fs.hears(uuid) == expected,
        what=f"{uuid} to hear {expected} (hears {rig.fs.hears(uuid)})",
    )


def audit_rows(rig: Rig, action: str) -> list[AuditEntry]:
    with rig.ctx.db.session() as session:
        stmt = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list(session.exec(stmt.order_by(col(AuditEntry.seq))))


def monitored(rig: Rig, contact: str) -> list[dict[str, Any]]:
    """The ``contact.monitored`` payloads of a contact, in order."""
    return [json.loads(e.payload) for e in rig.events(contact) if e.type == "contact.monitored"]
