"""The ACD wired to real calls: abandonment, no-answer re-route, wrap-up gating, forced wrap-up,
announcements and overflow (F-1.3.1, F-1.3.2, F-2.1.4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from realtime.audit.models import AuditEntry
from tests.callpath.harness import ADMIN_TOTP, SV_TOTP, Rig, running, scenario, until

HISTORY = {
    "work_type": "inquiry",
    "category1": "",
    "answer": "住民税の納期をご案内しました。",
    "outcome": "answered",
}


async def save_history(rig: Rig, browser: object, contact: str) -> None:
    response = await browser.post_json(  # type: ignore[attr-defined]
        "/api/crm/interactions", {"contact_id": contact, "channel": "call", **HISTORY}
    )
    assert response.status_code == 201, response.text


@pytest.mark.req("F-1.3.1", "F-2.2.1")
@scenario
async def test_caller_abandoning_in_queue_is_logged_with_time_in_queue(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await rig.event("queue.joined", contact)
        await call.wait(4).hangup()
        abandoned = await rig.event("contact.abandoned", contact, stage="queue")
        assert json.loads(abandoned.payload)["waited_s"] >= 3.5
        assert abandoned.queue == "q_juminhyo"
        await until(lambda: contact not in rig.path.calls, what="the call to be forgotten")
        assert rig.path.engine.waiting("q_juminhyo") == []


@pytest.mark.req("F-1.3.2", "F-1.4.1")
@scenario
async def test_unanswered_offer_goes_to_the_next_agent(tmp_path: Path, callpath_db: Path) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op2 = await rig.desk("op2")
        op1 = await rig.desk("op1")
        await op2.ready()
        await op1.ready()
        call = await rig.call(digits="2")
        contact = await rig.contact_of(call)
        assert (await op2.pop())["contact_id"] == contact
        # op2 lets it ring out: withdrawn, op2 not ready (no answer), op1 is offered.
        withdrawn = await op2.socket.next("offer_withdrawn")
        assert withdrawn == {"contact_id": contact, "reason": "agent.no_answer"}
        assert (await op2.state("not_ready"))["reason"] == "no_answer"
        assert (await op1.pop())["contact_id"] == contact
        await rig.event("agent.no_answer", contact)
        accepted = await op1.accept()
        assert accepted["callpath"]["contact"]["contact_id"] == contact
        await rig.event("contact.answered", contact)
        # Accepting what is no longer offered is refused with a clear message.
        late = await op2.accept()
        assert late["error"] == "callpath-no-offer"
        await call.hangup()
        await op1.state("wrap_up")


@pytest.mark.req("F-2.1.4", "F-1.3.1")
@scenario
async def test_no_second_call_before_the_history_is_saved(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op2 = await rig.desk("op2")
        await op2.ready()
        first = await rig.call(digits="2")
        one = await rig.contact_of(first)
        await op2.pop()
        await op2.accept()
        await first.wait(2).hangup()
        await op2.state("wrap_up")
        second = await rig.call(digits="2")
        two = await rig.contact_of(second)
        await rig.event("queue.joined", two)
        # Ready is refused while the history of the first call is unsaved; the caller waits.
        refused = await op2.ready()
        assert refused["error"] == "wrapup-history-not-saved"
        assert refused["message"] == "対応履歴を保存してから次の受付に進んでください。"
        assert rig.path.engine.waiting("q_tax") == [two]
        await save_history(rig, op2.browser, one)
        await op2.state("ready")
        assert (await op2.pop())["contact_id"] == two
        ended = [e for e in rig.events(one) if e.type == "wrapup.ended"]
        assert len(ended) == 1
        assert json.loads(ended[0].payload)["work_type"] == "inquiry"
        await second.hangup()
        await rig.event("contact.abandoned", two, stage="offered")
        await op2.state("ready")


@pytest.mark.req("F-2.1.4")
@scenario
async def test_supervisor_forces_wrapup_end_audited(tmp_path: Path, callpath_db: Path) -> None:
    async with running(tmp_path, callpath_db) as rig:
        op1 = await rig.desk("op1")
        await op1.ready()
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await op1.pop()
        await op1.accept()
        await call.wait(1).hangup()
        await op1.state("wrap_up")
        sv = await rig.staff("sv", SV_TOTP)
        missing = await sv.post_json("/api/callpath/wrapup/force", {"agent": "op1", "reason": ""})
        assert missing.status_code == 422
        forced = await sv.post_json(
            "/api/callpath/wrapup/force", {"agent": "op1", "reason": "体調不良のため交代"}
        )
        assert forced.status_code == 200, forced.text
        assert (await op1.state("not_ready"))["reason"] == "wrapup_forced"
        ended = await rig.event("wrapup.ended", contact)
        assert json.loads(ended.payload)["forced"] is True
        with rig.ctx.db.session() as session:
            entry = session.exec(
                select(AuditEntry).where(col(AuditEntry.action) == "wrapup-forced")
            ).one()
        assert entry.actor == "sv"
        assert entry.target == "op1"
        op = await rig.staff("op2")
        refused = await op.post_json("/api/callpath/wrapup/force", {"agent": "op1", "reason": "x"})
        assert refused.status_code == 403


@pytest.mark.req("F-1.3.1", "F-1.2.4")
@scenario
async def test_waiting_caller_hears_announcements_and_overflows(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        admin = await rig.staff("admin", ADMIN_TOTP)
        changed = await admin.post_json(
            "/api/callpath/queues",
            {
                "queue_id": "q_kosodate",
                "label_ja": "子育て",
                "skill_group": "kosodate",
                "min_level": 3,
                "overflow_after_s": 6,
                "overflow_to": "q_general",
                "announce_every_s": 2,
            },
        )
        assert changed.status_code == 200, changed.text
        op1 = await rig.desk("op1")  # no kosodate skill; general level 1
        await op1.ready()
        call = await rig.call(digits="4")
        contact = await rig.contact_of(call)
        await rig.event("queue.joined", contact)
        overflowed = await rig.event("queue.overflowed", contact, to_queue="q_general")
        assert json.loads(overflowed.payload)["waited_s"] >= 6
        assert rig.path.calls[contact].announcements >= 2
        assert (await op1.pop())["queue"]["id"] == "q_general"
        await call.hangup()
        await rig.event("contact.abandoned", contact, stage="offered")
