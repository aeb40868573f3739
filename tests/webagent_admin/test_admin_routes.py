"""The settings screens and the JSON routes added for them, without a browser: every screen
renders for an administrator and refuses everyone else; closures, report recipients, FAQ and
department editing validate with Japanese field messages, store, audit, and take effect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from cms.reports.mailconfig import ReportMailSettings
from cms.reports.recipients import with_stored_recipients
from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from switch.calendar.service import decide
from switch.callpath.config import load_config
from tests.crm_core.conftest import seed
from tests.support.app import add_user, make_app, make_settings, signin
from webagent.admin.screens import SCREENS

ADMIN_TOTP = pyotp.random_base32()
JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Any]:
    app = make_app(make_settings(tmp_path))
    seed(app.ctx.db)
    add_user(app, "admin1", Role.SYSTEM_ADMIN, totp_secret=ADMIN_TOTP)
    add_user(app, "op1", Role.OPERATOR)
    add_user(app, "city1", Role.CITY_STAFF)
    yield app
    app.ctx.db.dispose()


@pytest.fixture
def admin(web: Any) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(web, base_url="http://testserver")
    csrf = signin(client, "admin1", totp_secret=ADMIN_TOTP)
    return client, {"X-CSRF-Token": csrf}


def _actions(web: Any) -> list[tuple[str, str, str]]:
    with web.ctx.db.session() as session:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq))  # type: ignore[arg-type]
        return [(e.actor, e.action, e.target) for e in rows]


@pytest.mark.req("F-1.1.4", "F-2.1.7", "F-2.2.3", "F-2.4.4", "N-SEC-7")
def test_every_settings_screen_renders_for_admin_and_is_refused_to_others(web: Any) -> None:
    client = TestClient(web, base_url="http://testserver")
    signin(client, "admin1", totp_secret=ADMIN_TOTP)
    menu = client.get("/admin")
    assert menu.status_code == 200
    for screen in SCREENS:
        assert f'href="{screen.path}"' in menu.text
        page = client.get(screen.path)
        assert page.status_code == 200, (screen.slug, page.text[:2000])
        assert screen.title_ja in page.text
        assert "変更履歴" in page.text
        assert "<script>" not in page.text  # CSP: scripts only from files
    for user in ("op1", "city1"):
        other = TestClient(web, base_url="http://testserver")
        signin(other, user)
        assert other.get("/admin").status_code == 403
        for screen in SCREENS:
            assert other.get(screen.path).status_code == 403
    anonymous = TestClient(web, base_url="http://testserver")
    assert anonymous.get("/admin", follow_redirects=False).status_code in (303, 401)


@pytest.mark.req("F-1.1.4", "F-1.2.1")
def test_closure_day_is_validated_stored_audited_and_closes_the_line(
    web: Any, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    line = {"did": "03-3981-1111", "name_ja": "代表", "hours": {"live": [[["08:00", "19:00"]]] * 7}}
    assert client.post("/api/callpath/lines", json=line, headers=headers).status_code == 200
    bad = client.post(
        "/api/callpath/closures",
        json={"day": "2027-02-30", "reason_ja": "", "services": ["lunch"], "dids": ["x"]},
        headers=headers,
    )
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"day", "reason_ja", "services", "dids"}
    assert "日付" in bad.json()["fields"]["day"]
    unknown = client.post(
        "/api/callpath/closures",
        json={
            "day": "2027-02-10",
            "reason_ja": "保守",
            "services": ["live"],
            "dids": ["0399990000"],
        },
        headers=headers,
    )
    assert unknown.status_code == 422
    assert "登録されていない回線" in unknown.json()["fields"]["dids"]
    ok = client.post(
        "/api/callpath/closures",
        json={
            "day": "2027-02-10",
            "reason_ja": "システム保守",
            "services": ["live", "switchboard"],
        },
        headers=headers,
    )
    assert ok.status_code == 201
    closure = ok.json()["closure"]
    assert closure["services"] == ["live", "switchboard"]
    assert closure["dids"] == []
    with web.ctx.db.session() as session:
        calendar = load_config(session).calendar()
    noon = dt.datetime(2027, 2, 10, 12, 0, tzinfo=JST)
    decision = decide(calendar, did="0339811111", at=noon)
    assert decision.guidance == "closure"
    assert not decision.live_open
    next_day = decide(calendar, did="0339811111", at=noon + dt.timedelta(days=1))
    assert next_day.live_open
    listed = client.get("/api/callpath/closures").json()["closures"]
    assert [c["day"] for c in listed] == ["2027-02-10"]
    page = client.get("/admin/settings/closures").text
    assert "システム保守" in page
    assert "admin1" in page
    gone = client.delete(f"/api/callpath/closures/{closure['closure_id']}", headers=headers)
    assert gone.status_code == 200
    assert client.delete("/api/callpath/closures/999", headers=headers).status_code == 404
    assert ("admin1", "callpath-closure-added", "2027-02-10") in _actions(web)
    assert ("admin1", "callpath-closure-deleted", "2027-02-10") in _actions(web)


@pytest.mark.req("F-2.4.4")
def test_report_recipients_replace_the_environment_list_and_are_audited(
    web: Any, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    bad = client.post(
        "/api/cms/report-recipients", json={"address": "not-an-address"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["fields"]["address"] == "メールアドレスの形式が正しくありません。"
    added = client.post(
        "/api/cms/report-recipients",
        json={"address": "soudan@city.toshima.lg.jp", "name_ja": "区民相談課"},
        headers=headers,
    )
    assert added.status_code == 201
    again = client.post(
        "/api/cms/report-recipients",
        json={"address": "SOUDAN@city.toshima.lg.jp"},
        headers=headers,
    )
    assert again.status_code == 422
    assert "すでに登録" in again.json()["fields"]["address"]
    mail = ReportMailSettings(report_recipients="old@example.jp")
    with web.ctx.db.session() as session:
        assert with_stored_recipients(session, mail=mail).recipients() == [
            "soudan@city.toshima.lg.jp"
        ]
    rid = added.json()["recipient"]["recipient_id"]
    assert client.delete(f"/api/cms/report-recipients/{rid}", headers=headers).status_code == 200
    with web.ctx.db.session() as session:
        assert with_stored_recipients(session, mail=mail).recipients() == ["old@example.jp"]
    actions = [a for a in _actions(web) if a[1].startswith("report-recipient")]
    assert [a[1] for a in actions] == ["report-recipient-added", "report-recipient-deleted"]


@pytest.mark.req("F-2.1.7", "F-2.1.3")
def test_faq_edit_and_import_validate_fields_and_refresh_search(
    web: Any, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    bad = client.put(
        "/api/crm/faq/entries/F9001",
        json={"question": "", "answer": "x", "dept_id": "NOPE", "needs_handoff": "maybe"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["fields"] == {
        "question": "入力してください。",
        "dept_id": "部署一覧にない部署IDです。",
        "needs_handoff": "はい・いいえで指定してください。",
    }
    entry = {
        "category1": "ごみ",
        "category2": "粗大ごみ",
        "question": "粗大ごみの申込み方法は？",
        "answer": "粗大ごみ受付センターへお申し込みください。",
        "keywords": "粗大  ごみ 申込",
        "needs_handoff": False,
    }
    saved = client.put("/api/crm/faq/entries/F9001", json=entry, headers=headers)
    assert saved.status_code == 200
    assert saved.json()["entry"]["keywords"] == "粗大 ごみ 申込"
    operator = TestClient(web, base_url="http://testserver")
    signin(operator, "op1")
    hits = operator.get("/api/crm/faq/search", params={"q": "粗大ごみ"}).json()["items"]
    assert hits[0]["faq_id"] == "F9001"
    assert operator.put("/api/crm/faq/entries/F9001", json=entry).status_code == 403
    csv = (
        "faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff\n"
        "F9002,ごみ,資源,資源回収の日は？,地域ごとに決まっています。,,資源,no\n"
    ).encode()
    imported = client.post("/api/crm/faq/import?source=gomi.csv", content=csv, headers=headers)
    assert imported.status_code == 200
    assert imported.json()["created"] == 1
    broken = client.post(
        "/api/crm/faq/import",
        content=b"faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff\n"
        b"F9003,,,,,,,perhaps\n",
        headers=headers,
    )
    assert broken.status_code == 422
    assert {p["column"] for p in broken.json()["problems"]} >= {"question", "needs_handoff"}
    assert client.delete("/api/crm/faq/entries/F9001", headers=headers).status_code == 200
    assert client.delete("/api/crm/faq/entries/F9001", headers=headers).status_code == 404
    actions = [a[1] for a in _actions(web) if a[0] == "admin1" and a[1].startswith("faq")]
    assert actions == ["faq-entry-created", "faq-imported", "faq-entry-deleted"]


@pytest.mark.req("F-2.1.7")
def test_department_edit_validates_and_is_audited(
    web: Any, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    bad = client.put(
        "/api/crm/departments/D90", json={"bu": "区民部", "extension": "内線12"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["fields"] == {
        "ka": "課または係を入力してください。",
        "extension": "内線番号は数字で入力してください。",
    }
    body = {
        "bu": "区民部",
        "ka": "区民相談課",
        "kakari": "",
        "extension": "2105",
        "handles": "相談",
    }
    assert client.put("/api/crm/departments/D90", json=body, headers=headers).status_code == 200
    body["extension"] = "2106"
    changed = client.put("/api/crm/departments/D90", json=body, headers=headers)
    assert changed.json()["department"]["extension"] == "2106"
    page = client.get("/admin/settings/departments").text
    assert "区民相談課" in page
    assert "2106" in page
    assert client.delete("/api/crm/departments/D90", headers=headers).status_code == 200
    actions = [a[1] for a in _actions(web) if a[2] == "D90"]
    assert actions == ["department-created", "department-changed", "department-deleted"]


@pytest.mark.req("F-2.4.2", "F-2.1.4")
def test_city_staff_read_the_summary_report_and_operators_do_not_see_it(web: Any) -> None:
    agent = TestClient(web, base_url="http://testserver")
    csrf = signin(agent, "op1")
    for n, outcome in enumerate(("answered", "answered", "handoff")):
        body: dict[str, Any] = {
            "contact_id": f"c-sum-{n}",
            "work_type": "inquiry",
            "outcome": outcome,
            "answer": "国保の加入手続きをご案内しました。",
        }
        if outcome == "handoff":
            body["handoff_dept"] = "D10"
        saved = agent.post("/api/crm/interactions", json=body, headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 201, saved.text
    city = TestClient(web, base_url="http://testserver")
    signin(city, "city1")
    page = city.get("/city", params={"view": "summary"})
    assert page.status_code == 200
    assert 'aria-current="page">報告・集計' in page.text
    row = page.text.split("業務種別ごとの件数と一次解決率")[1].split("</tr>")[1]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells[1:] == ["3", "2", "1", "0", "66.7%"]
    assert "国保年金課 資格係" in page.text
    assert 'method="post"' not in page.text.split("<main")[1]  # read-only: nothing posts
    operator = agent.get("/city", params={"view": "summary"})
    assert operator.status_code == 200
    assert "報告・集計" not in operator.text
    assert 'aria-current="page">対応履歴の検索' in operator.text


@pytest.mark.req("F-1.4.3", "N-SEC-1")
def test_cti_settings_are_changed_by_administrators_only_and_audited(
    web: Any, admin: tuple[TestClient, dict[str, str]]
) -> None:
    sv_totp = pyotp.random_base32()
    add_user(web, "sv1", Role.SUPERVISOR, totp_secret=sv_totp)
    agent = {"username": "op1", "extension": "1001", "skills": {"general": 1}}
    changes = [
        ("/api/callpath/agents", agent),
        ("/api/callpath/lines", {"did": "0339811111", "name_ja": "代表"}),
        ("/api/callpath/queues", {"queue_id": "q_x", "label_ja": "X", "skill_group": "general"}),
    ]
    for user, totp in (("op1", None), ("city1", None), ("sv1", sv_totp)):
        other = TestClient(web, base_url="http://testserver")
        csrf = signin(other, user, totp_secret=totp)
        assert other.get("/api/callpath/config").status_code == 403
        for path, body in changes:
            refused = other.post(path, json=body, headers={"X-CSRF-Token": csrf})
            assert refused.status_code == 403, (user, path, refused.text)
    client, headers = admin
    saved = client.post("/api/callpath/agents", json=agent, headers=headers)
    assert saved.status_code == 200, saved.text
    config = client.get("/api/callpath/config").json()
    assert any(a["username"] == "op1" for a in config["agents"])
    assert ("admin1", "callpath-agent-saved", "op1") in _actions(web)
    assert not [a for a in _actions(web) if a[1].startswith("callpath-") and a[0] != "admin1"]
