"""What the city sees at any time (R-ITEMS): hand-offs and their destinations, call-backs made,
counts per work type and section; all from CRM records without personal data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from crm.interactions import service as history
from crm.interactions.fields import parse_contact, parse_fields
from crm.workqueue import service as queue
from crm.workqueue.models import ItemResult
from realtime.db import Database
from tests.crm_core.conftest import SECRET_DIGITS, SECRET_NUMBER

# 2026-04-01 10:00 JST and the next day.
DAY1 = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
BOX = queue.number_box("test-secret-" + "x" * 40)


def _save(db: Database, at: datetime, **fields: Any) -> str:
    body = {
        "contact_id": str(uuid.uuid4()),
        "started_at": at.isoformat(),
        "work_type": "inquiry",
        "category1": "国民健康保険",
        "category2": "加入・脱退",
        "answer": "加入手続きをご案内しました。",
        "outcome": "answered",
        **fields,
    }
    with db.session() as session:
        return history.save_history(
            session, contact=parse_contact(body), fields=parse_fields(body), agent="op1", at=at
        ).contact_id


def _scenario(db: Database) -> dict[str, str]:
    ids = {
        "answered": _save(db, DAY1, section="D10"),
        "handoff": _save(db, DAY1, outcome="handoff", handoff_dept="D10"),
        "switchboard": _save(
            db, DAY1, outcome="switchboard_transfer", handoff_dept="D01", work_type="switchboard"
        ),
        "later_handoff": _save(db, DAY2, outcome="handoff", handoff_dept="D10"),
        "callback": _save(db, DAY1, outcome="callback"),
    }
    with db.session() as session:
        item = queue.request_callback(
            session, number=SECRET_NUMBER, box=BOX, contact_id=ids["callback"], at=DAY1
        )
    with db.session() as session:
        queue.take(session, item_id=item.id, agent="op1", at=DAY1)
    with db.session() as session:
        queue.complete(session, item_id=item.id, agent="op1", result=ItemResult.REACHED, at=DAY1)
    with db.session() as session:
        queue.request_callback(session, number="0339811111", box=BOX, at=DAY2)
    return ids


@pytest.mark.req("R-ITEMS", "F-2.1.6")
def test_city_staff_see_handoffs_callbacks_and_counts_for_any_period(
    web: Any, city: tuple[TestClient, str]
) -> None:
    _scenario(web.ctx.db)
    staff, _token = city
    day1 = {"from": "2026-04-01", "to": "2026-04-01"}
    handoffs = staff.get("/api/crm/reports/handoffs", params=day1)
    assert handoffs.status_code == 200
    data = handoffs.json()
    assert data["total"] == 2
    assert {(i["outcome"], i["dept_id"]) for i in data["items"]} == {
        ("handoff", "D10"),
        ("switchboard_transfer", "D01"),
    }
    names = {d["dept_id"]: d["dept_name"] for d in data["by_dept"]}
    assert names == {"D10": "保健福祉部 国保年金課 資格係", "D01": "区民部 区民課 住民記録係"}
    assert "answer" not in data["items"][0]
    both_days = staff.get(
        "/api/crm/reports/handoffs",
        params={"from": "2026-04-01", "to": "2026-04-02", "dept_id": "D10"},
    ).json()
    assert both_days["total"] == 2
    assert both_days["by_dept"][0]["count"] == 2
    only_switchboard = staff.get(
        "/api/crm/reports/handoffs", params={**day1, "outcome": "switchboard_transfer"}
    ).json()
    assert [i["dept_id"] for i in only_switchboard["items"]] == ["D01"]

    callbacks = staff.get("/api/crm/reports/callbacks", params=day1)
    assert callbacks.status_code == 200
    made = callbacks.json()
    assert made["counts"] == {"reached": 1}
    assert made["items"][0]["work_type"] == "inquiry"
    assert made["items"][0]["completed_at"] is not None
    assert SECRET_DIGITS not in callbacks.text
    assert "1234-5678" not in callbacks.text
    every = staff.get("/api/crm/reports/callbacks").json()
    assert every["counts"] == {"reached": 1, "open": 1}

    summary = staff.get("/api/crm/reports/summary", params=day1).json()
    inquiry = next(r for r in summary["by_work_type"] if r["key"] == "inquiry")
    assert (inquiry["received"], inquiry["answered"], inquiry["handed_over"]) == (3, 1, 1)
    assert inquiry["callbacks"] == 1
    assert inquiry["first_contact_rate"] == pytest.approx(1 / 3, abs=1e-4)
    d10 = next(r for r in summary["by_section"] if r["key"] == "D10")
    assert (d10["received"], d10["answered"], d10["handed_over"]) == (2, 1, 1)

    bad = staff.get("/api/crm/reports/handoffs", params={"from": "2026-04-02", "to": "2026-04-01"})
    assert bad.status_code == 422
    assert "to" in bad.json()["fields"]


@pytest.mark.req("R-ITEMS", "N-SEC-1")
def test_agents_cannot_read_the_city_reports(web: Any, agent: tuple[TestClient, str]) -> None:
    client, _token = agent
    for path in ("handoffs", "callbacks", "summary"):
        response = client.get(f"/api/crm/reports/{path}")
        assert response.status_code == 403
        assert response.json()["error"] == "permission-denied"


@pytest.mark.req("F-2.1.4", "F-2.1.7")
def test_history_categories_are_seeded_from_the_faq_and_synced_by_admins(db: Database) -> None:
    from crm.faq import service as faq
    from crm.interactions import categories

    with db.session() as session:
        groups = categories.list_categories(session)
    assert [(g.name, g.children) for g in groups] == [
        ("住民票・印鑑登録", ["住民票", "コンビニ交付"]),
        ("国民健康保険", ["加入・脱退"]),
    ]
    extra = (
        "faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff\n"
        "F0142,ごみ・リサイクル,粗大ごみ,タンスを捨てたい,粗大ごみ受付センターへ申込みます。,,粗大ごみ,no\n"
    ).encode()
    with db.session() as session:
        faq.import_csv(session, data=extra, actor="admin1")
    with db.session() as session:
        assert categories.sync_from_faq(session, actor="admin1") == 1
    with db.session() as session:
        assert categories.sync_from_faq(session, actor="admin1") == 0
        names = [g.name for g in categories.list_categories(session)]
    assert names[-1] == "ごみ・リサイクル"
