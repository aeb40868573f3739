"""Out of hours, holidays and emergency mode decide what a caller hears (F-1.2.1, N-BCP-1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from realtime.audit.models import AuditEntry
from tests.callpath.harness import (
    ADMIN_TOTP,
    HOLIDAY_10AM,
    SV_TOTP,
    WEEKDAY_9PM,
    running,
    scenario,
    until,
)


@pytest.mark.req("F-1.2.1", "F-1.2.2")
@scenario
async def test_out_of_hours_call_hears_guidance_and_never_queues(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        rig.at(WEEKDAY_9PM)
        call = await rig.call(digits="2")
        contact = await rig.contact_of(call)
        await rig.event("contact.ended", contact, by="system")
        assert rig.types(contact) == [
            "contact.received",
            "ivr.guidance_played",
            "contact.ended",
        ]
        await rig.event("ivr.guidance_played", contact, guidance="out_of_hours")
        assert rig.path.engine.contacts() == {}


@pytest.mark.req("F-1.2.1", "F-1.2.5")
@scenario
async def test_holiday_closes_the_switchboard_but_agents_still_answer(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        rig.at(HOLIDAY_10AM)
        switchboard = await rig.call(digits="9")
        first = await rig.contact_of(switchboard)
        await rig.event("ivr.guidance_played", first, guidance="holiday")
        await rig.event("contact.ended", first, by="system")
        assert "queue.joined" not in rig.types(first)
        tax = await rig.call(digits="2")
        second = await rig.contact_of(tax)
        await rig.event("queue.joined", second)
        await tax.hangup()
        await rig.event("contact.abandoned", second, stage="queue")


@pytest.mark.req("N-BCP-1", "F-1.2.1")
@scenario
async def test_emergency_mode_switched_by_supervisor_changes_guidance_and_routing_at_once(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        sv = await rig.staff("sv", SV_TOTP)
        on = await sv.post_json(
            "/api/callpath/emergency",
            {"active": True, "message_key": "emergency_quake", "overflow_number": "03-1234-5678"},
        )
        assert on.status_code == 200, on.text
        assert on.json()["active"] is True
        assert on.json()["changed_by"] == "sv"
        call = await rig.call(digits="2")
        contact = await rig.contact_of(call)
        await rig.event("ivr.guidance_played", contact, guidance="emergency")
        await rig.event("contact.transferred", contact, kind="blind")
        # The caller is bridged to the other site's number through the overflow gateway.
        await until(
            lambda: any(
                ch.profile.destination_number == "0312345678"
                for ch in rig.fs.server.switch.channels.values()
            ),
            what="the overflow leg",
        )
        assert "queue.joined" not in rig.types(contact)
        off = await sv.post_json("/api/callpath/emergency", {"active": False})
        assert off.status_code == 200, off.text
        normal = await rig.call(digits="2")
        second = await rig.contact_of(normal)
        await rig.event("queue.joined", second)
        await normal.hangup()
        await rig.event("contact.abandoned", second)
        with rig.ctx.db.session() as session:
            actions = list(
                session.exec(
                    select(AuditEntry.action)
                    .where(col(AuditEntry.action).like("emergency-mode%"))
                    .order_by(col(AuditEntry.seq))
                )
            )
        assert actions == ["emergency-mode-on", "emergency-mode-off"]
        # An operator may not switch it.
        op = await rig.staff("op1")
        refused = await op.post_json("/api/callpath/emergency", {"active": True})
        assert refused.status_code == 403


@pytest.mark.req("N-BCP-1", "F-1.2.1")
@scenario
async def test_emergency_disaster_menu_and_menu_edits_apply_without_restart(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        admin = await rig.staff("admin", ADMIN_TOTP)
        edited = await admin.post_json(
            "/api/callpath/menus",
            {
                "node_id": "disaster",
                "did": "0339811111",
                "label_ja": "災害時メニュー",
                "prompt_key": "menu_disaster",
                "choices": {"1": {"kind": "queue", "target": "q_general"}},
            },
        )
        assert edited.status_code == 200, edited.text
        bad = await admin.post_json(
            "/api/callpath/menus",
            {
                "node_id": "broken",
                "did": "0339811111",
                "label_ja": "壊れたメニュー",
                "prompt_key": "menu_x",
                "choices": {"1": {"kind": "queue", "target": "no_such_queue"}},
            },
        )
        assert bad.status_code == 422
        assert bad.json()["fields"]["choices.1"] == "存在しない待ち行列です。"
        on = await admin.post_json(
            "/api/callpath/emergency",
            {"active": True, "message_key": "emergency_flood", "menu_node": "disaster"},
        )
        assert on.status_code == 200, on.text
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("ivr.guidance_played", contact, guidance="emergency")
        joined = await rig.event("queue.joined", contact)
        assert joined.queue == "q_general"
        chosen = await rig.event("ivr.menu_chosen", contact)
        assert json.loads(chosen.payload) == {"menu": "disaster", "digits": "1"}
        await call.hangup()
        await rig.event("contact.abandoned", contact, stage="queue")
