"""The WFM routes and screens: who may edit and read, bad input, exports, live adherence."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from openpyxl import load_workbook
from sqlmodel import select
from starlette.testclient import TestClient

from cms import service as events
from cms.events import Channel, EventType
from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from realtime.timeutil import JST
from tests.support.app import add_user, make_app, make_settings, signin

WEEK = date(2026, 11, 2)  # a Monday in the past: the whole day has elapsed for adherence


@pytest.fixture
def web(database_url: str, tmp_path: Path) -> Iterator[Any]:
    app = make_app(make_settings(tmp_path, database_url))
    yield app
    app.ctx.db.dispose()


def _client(web: Any, name: str, role: Role) -> tuple[TestClient, dict[str, str]]:
    secret = pyotp.random_base32() if role in (Role.SUPERVISOR, Role.CENTER_MANAGER) else None
    add_user(web, name, role, totp_secret=secret)
    client = TestClient(web, base_url="http://testserver")
    token = signin(client, name, totp_secret=secret)
    return client, {"X-CSRF-Token": token}


def _setup_schedule(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    r = client.post("/api/wfm/patterns", json={"generate": {"open": "08:30", "close": "17:15"}},
                    headers=headers)  # fmt: skip
    assert r.status_code == 200, r.text
    assert len(r.json()["patterns"]) > 10
    for i in range(5):
        r = client.put(f"/api/wfm/contracts/ft{i}", json={"kind": "full_time"}, headers=headers)
        assert r.status_code == 200, r.text
    for i in range(3):
        body = {"kind": "part_time", "max_weekly_min": 1200, "max_days_per_week": 4,
                "preferred_rest_weekdays": [i]}  # fmt: skip
        r = client.put(f"/api/wfm/contracts/pt{i}", json=body, headers=headers)
        assert r.status_code == 200, r.text
    days = {(WEEK + timedelta(days=i)).isoformat(): 0 if i >= 5 else 500 for i in range(7)}
    profile = {"08:00": 0, "09:00": 77, "10:00": 92, "11:00": 93, "12:00": 63, "13:00": 62,
               "14:00": 81, "15:00": 86, "16:00": 82}  # fmt: skip
    body = {
        "name": "11月第1週",
        "time_limit_s": 10,
        "forecast": {"daily_calls": days, "profile": profile, "aht_s": 180, "patience_s": 120},
    }
    r = client.post("/api/wfm/schedules", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.req("F-2.3.1", "F-2.3.4")
def test_scheduler_builds_a_week_schedule_that_supervisors_read_but_cannot_change(web: Any) -> None:
    client, headers = _client(web, "sched", Role.SCHEDULER)
    result = _setup_schedule(client, headers)
    assert result["assignments"]
    per_agent: dict[str, int] = {}
    for a in result["assignments"]:
        assert date.fromisoformat(a["day"]).weekday() < 5
        assert a["work_min"] <= 480
        per_agent[a["agent_id"]] = per_agent.get(a["agent_id"], 0) + a["work_min"]
    assert max(per_agent.values()) <= 2400
    assert all(per_agent[f"pt{i}"] <= 1200 for i in range(3) if f"pt{i}" in per_agent)
    listed = client.get("/api/wfm/schedules").json()["schedules"]
    assert [s["id"] for s in listed] == [result["id"]]
    with web.ctx.db.session() as session:
        actions = set(session.exec(select(AuditEntry.action)).all())
    assert {"wfm.patterns.save", "wfm.contract.save", "wfm.schedule.create"} <= actions

    sv, sv_headers = _client(web, "sv1", Role.SUPERVISOR)
    got = sv.get(f"/api/wfm/schedules/{result['id']}")
    assert got.status_code == 200
    assert len(got.json()["assignments"]) == len(result["assignments"])
    denied = sv.put("/api/wfm/contracts/ft0", json={"kind": "part_time"}, headers=sv_headers)
    assert denied.status_code == 403
    assert sv.post("/api/wfm/schedules", json={}, headers=sv_headers).status_code == 403
    op, _ = _client(web, "op1", Role.OPERATOR)
    assert op.get("/api/wfm/schedules").status_code == 403
    assert op.get("/wfm").status_code == 403


@pytest.mark.req("F-2.3.1", "F-2.3.4")
def test_bad_contracts_and_impossible_targets_get_a_clear_message(web: Any) -> None:
    client, headers = _client(web, "sched", Role.SCHEDULER)
    r = client.put("/api/wfm/contracts/x", json={"max_weekly_min": 2700}, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"] == "shift-input-invalid"
    assert "40 時間" in r.json()["message"]
    client.post("/api/wfm/patterns", json={"generate": {"open": "08:30", "close": "17:15"}},
                headers=headers)  # fmt: skip
    client.put("/api/wfm/contracts/a", json={}, headers=headers)
    body = {"name": "x", "forecast": {"daily_calls": {"2026-11-02": 500},
            "profile": {"09:00": 1, "10:00": 1}, "target": {"service_level": 1.0}}}  # fmt: skip
    r = client.post("/api/wfm/schedules", json=body, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"] == "staffing-target-impossible"
    assert "100%" in r.json()["message"]
    r = client.post("/api/wfm/schedules", json={"name": "x", "requirement": {"2026-11-02": [-1]}},
                    headers=headers)  # fmt: skip
    assert r.status_code == 422
    body = {"name": "x", "weights": {"under": 1, "over": 5},
            "requirement": {"2026-11-02": [1, 1]}}  # fmt: skip
    r = client.post("/api/wfm/schedules", json=body, headers=headers)
    assert r.status_code == 422
    assert "不足の重み" in r.json()["message"]


def _state(agent: str, at: datetime, state: str | None, reason: str | None = None) -> Any:
    if state is None:
        return events.NewEvent(type=EventType.AGENT_SIGNED_OUT, occurred_at=at, agent=agent)
    payload: dict[str, Any] = {"state": state}
    if reason:
        payload["reason"] = reason
    return events.NewEvent(
        type=EventType.AGENT_STATE_CHANGED, occurred_at=at, agent=agent, payload=payload
    )


@pytest.mark.req("F-2.3.2")
def test_supervisors_see_adherence_and_exceptions_from_the_event_log(web: Any) -> None:
    client, headers = _client(web, "sched", Role.SCHEDULER)
    result = _setup_schedule(client, headers)
    monday = [a for a in result["assignments"] if a["day"] == WEEK.isoformat()]
    detail = client.get(f"/api/wfm/schedules/{result['id']}").json()["assignments"]
    shifts = {a["agent_id"]: a for a in detail if a["day"] == WEEK.isoformat()}
    punctual, late = sorted(shifts)[:2]
    batch = []
    for agent, delay in ((punctual, -5), (late, 20)):
        start = datetime.fromisoformat(shifts[agent]["start_at"])
        end = datetime.fromisoformat(shifts[agent]["end_at"])
        signed_in = start + timedelta(minutes=delay)
        batch.append(
            events.NewEvent(type=EventType.AGENT_SIGNED_IN, occurred_at=signed_in, agent=agent)
        )
        batch.append(_state(agent, start + timedelta(minutes=delay + 1), "ready"))
        batch.append(_state(agent, end + timedelta(minutes=5), None))
    with web.ctx.db.session() as session:
        events.append_many(session, events=batch)
    sv, _ = _client(web, "sv1", Role.SUPERVISOR)
    r = sv.get(f"/api/wfm/adherence?day={WEEK.isoformat()}")
    assert r.status_code == 200, r.text
    body = r.json()
    rows = {a["agent_id"]: a for a in body["agents"]}
    assert len(rows) == len(monday)
    assert rows[punctual]["adherence"] == 1.0
    assert 0 < rows[late]["adherence"] < 1
    kinds = {(x["agent_id"], x["kind"]) for x in body["exceptions"]}
    assert (late, "late_login") in kinds
    assert all(kind == "absent" for agent, kind in kinds if agent not in (punctual, late))
    page = sv.get(f"/wfm/adherence?day={WEEK.isoformat()}")
    assert page.status_code == 200
    assert "遅刻ログイン" in page.text
    csv_file = sv.get(f"/wfm/adherence/export/csv?day={WEEK.isoformat()}")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert punctual in csv_file.content.decode("utf-8-sig")
    assert client.get("/api/wfm/adherence").status_code == 403  # scheduler: no wallboard


def _calls(web: Any, first: date, days: int) -> dict[date, int]:
    rng = random.Random(7)
    counts: dict[date, int] = {}
    batch: list[events.NewEvent] = []
    for i in range(days):
        day = first + timedelta(days=i)
        n = 0 if day.weekday() >= 5 else rng.randint(25, 40) + (10 if day.weekday() == 0 else 0)
        counts[day] = n
        for _ in range(n):
            at = datetime(day.year, day.month, day.day, 9, tzinfo=JST) + timedelta(
                minutes=rng.randrange(8 * 60)
            )
            batch.append(
                events.NewEvent(
                    type=EventType.CONTACT_RECEIVED, occurred_at=at, channel=Channel.CALL,
                    contact_id=f"c{len(batch)}",
                )
            )  # fmt: skip
    with web.ctx.db.session() as session:
        events.append_many(session, events=batch)
    return counts


@pytest.mark.req("F-2.3.1")
def test_screens_show_forecast_against_actuals_staffing_and_the_schedule_grid(web: Any) -> None:
    first = date(2026, 8, 3)
    counts = _calls(web, first, 91)
    client, headers = _client(web, "sched", Role.SCHEDULER)
    start, end = first + timedelta(days=77), first + timedelta(days=90)
    page = client.get(f"/wfm/forecast?from={start}&to={end}")
    assert page.status_code == 200, page.text
    assert "<svg" in page.text
    assert "予測を作成できません" not in page.text
    sheet = client.get(f"/wfm/forecast/export/xlsx?from={start}&to={end}")
    first_sheet = load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    rows = list(first_sheet.iter_rows(values_only=True))
    assert rows[0] == ("日付", "予測呼数", "実績呼数", "差(実績-予測)")
    assert [r[2] for r in rows[1:]] == [counts[start + timedelta(days=i)] for i in range(14)]
    assert all(isinstance(r[1], int) for r in rows[1:])
    short = client.get(
        f"/wfm/forecast?from={first + timedelta(days=10)}&to={first + timedelta(days=12)}"
    )
    assert "予測を作成できません" in short.text

    staffing = client.get(f"/wfm/staffing?day={end}&calls=1200&aht=180&patience=120")
    assert staffing.status_code == 200
    assert "配置人数" in staffing.text
    assert "<svg" in staffing.text
    csv_text = client.get(f"/wfm/staffing/export/csv?day={end}&calls=1200").content
    assert csv_text.startswith(b"\xef\xbb\xbf")
    assert len(csv_text.decode("utf-8-sig").strip().splitlines()) >= 16
    impossible = client.get(f"/wfm/staffing?day={end}&calls=1200&sl=100")
    assert impossible.status_code == 422
    assert "100%" in impossible.text
    zero_aht = client.get(f"/wfm/staffing?day={end}&calls=1200&aht=0")
    assert zero_aht.status_code == 422
    assert "aht_s" in zero_aht.text

    result = _setup_schedule(client, headers)
    grid = client.get(f"/wfm/schedules/{result['id']}?day={WEEK}")
    assert grid.status_code == 200
    assert "11月第1週" in grid.text
    assert "<svg" in grid.text
    book = load_workbook(
        io.BytesIO(client.get(f"/wfm/schedules/{result['id']}/export/xlsx").content)
    )
    assert book.sheetnames == ["シフト表", "充足"]
    agents = {a["agent_id"] for a in result["assignments"]}
    assert {r[0] for r in book["シフト表"].iter_rows(min_row=2, values_only=True)} == agents
    assert client.get(f"/wfm/schedules/{result['id']}/export/pdf").status_code == 404
    assert client.get("/wfm/schedules/nobody").status_code == 404
    assert client.get("/wfm").status_code == 200


@pytest.mark.req("F-2.3.3")
def test_whatif_route_returns_erlang_and_simulation_side_by_side(web: Any) -> None:
    client, headers = _client(web, "sched", Role.SCHEDULER)
    body = {"base": {"start": "09:00", "calls": [40, 60, 80, 80, 60, 40], "aht_s": 180,
                     "patience_s": 120},
            "change": {"volume_factor": 1.2}, "seeds": 3}  # fmt: skip
    r = client.post("/api/wfm/whatif", json=body, headers=headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["before"]["intervals"]) == 6
    assert out["after"]["erlang_service_level"] < out["before"]["erlang_service_level"]
    assert out["after"]["sim_service_level"] < out["before"]["sim_service_level"]
    bad = {"base": {"calls": [10], "agents": [1]}, "change": {"agents_delta": -5}}
    r = client.post("/api/wfm/whatif", json=bad, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"] == "whatif-input-invalid"
