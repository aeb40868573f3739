"""Adherence pushed live to supervisors over a real Socket.IO connection (F-2.3.2): an agent
scheduled today changes state, the supervisor room receives ``adherence`` for that agent, and the
/supervisor snapshot and the adherence screen carry the live view."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from cms import service as events
from cms.events import EventType
from realtime.auth.permissions import Role
from realtime.timeutil import JST, utcnow
from tests.realtime.conftest import LiveServer
from tests.realtime.live import HubClient, sign_in
from tests.support.app import add_user
from wfm.shifts.models import AssignmentRow, ScheduleRow


def _schedule_today(app: Any, shifts: dict[str, tuple[datetime, datetime]]) -> date:
    now = utcnow()
    day = now.astimezone(JST).date()
    with app.ctx.db.session() as session:
        schedule = ScheduleRow(
            id=str(uuid.uuid4()), name="today", first_day=day, last_day=day, status="optimal",
            slot_min=30, first_slot_min=0, under_min=0, over_min=0, requirement="{}",
            warnings="[]", created_at=now, created_by="sched",
        )  # fmt: skip
        session.add(schedule)
        session.flush()
        for agent, (start, end) in shifts.items():
            session.add(
                AssignmentRow(
                    schedule_id=schedule.id, agent_id=agent, day=day, pattern_code="T",
                    start_at=start, end_at=end, break_start_at=None, break_end_at=None,
                    work_min=int((end - start) / timedelta(minutes=1)),
                )
            )  # fmt: skip
        session.commit()
    return day


def _append(app: Any, *batch: events.NewEvent) -> None:
    with app.ctx.db.session() as session:
        events.append_many(session, events=list(batch))


def _state(agent: str, at: datetime, state: str, reason: str | None = None) -> events.NewEvent:
    payload: dict[str, Any] = {"state": state}
    if reason:
        payload["reason"] = reason
    return events.NewEvent(
        type=EventType.AGENT_STATE_CHANGED, occurred_at=at, agent=agent, payload=payload
    )


async def _next_for(board: HubClient, agent: str, **want: Any) -> dict[str, Any]:
    """The next ``adherence`` push for ``agent`` matching ``want`` (generous deadline)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        left = deadline - asyncio.get_running_loop().time()
        push = await board.next("adherence", within=max(left, 0.01))
        if push["agent"] == agent and all(push.get(k) == v for k, v in want.items()):
            return dict(push)


@pytest.mark.req("F-2.3.2")
def test_state_change_of_a_scheduled_agent_is_pushed_to_supervisors_as_adherence(
    live_server: LiveServer,
) -> None:
    app = live_server.app
    add_user(app, "lead1", Role.LEADER)
    now = utcnow().replace(microsecond=0)
    midnight = datetime.combine(now.astimezone(JST).date(), time(), JST)
    start = max(now - timedelta(hours=2), midnight)
    end = now + timedelta(hours=4)
    day = _schedule_today(app, {"op7": (start, end), "op8": (start, end)})

    async def scenario() -> tuple[Any, dict[str, Any], dict[str, Any], list[Any], str, str]:
        leader = await sign_in(live_server.url, "lead1")
        board = HubClient(live_server.url, "/supervisor", cookie=leader.cookie_header)
        try:
            await board.connect()
            snapshot = await board.next("snapshot")
            # op7 signs in at the start of the shift and is ready (another writer of the log)
            _append(
                app,
                events.NewEvent(type=EventType.AGENT_SIGNED_IN, occurred_at=start, agent="op7"),
                _state("op7", start, "ready"),
            )
            ready = await _next_for(board, "op7", actual="ready")
            # now op7 goes not ready for a meeting (not an allowed reason): out of adherence
            away_at = utcnow().replace(microsecond=0)
            _append(app, _state("op7", away_at, "not_ready", "meeting"))
            away = await _next_for(board, "op7", actual="not_ready")
            others = [p for p in board.pending("adherence") if p["agent"] != "op7"]
            page = await leader.http.get(f"/wfm/adherence?day={day.isoformat()}")
            script = await leader.http.get("/wfm/static/adherence.js")
            return snapshot, ready, away | {"away_at": away_at}, others, page.text, script.text
        finally:
            await board.close()
            await leader.aclose()

    snapshot, ready, away, others, page, script = asyncio.run(scenario())

    rows = {r["agent"]: r for r in snapshot["adherence"]}
    assert set(rows) == {"op7", "op8"}
    assert rows["op8"]["scheduled"] == "working"
    assert rows["op8"]["actual"] == "signed_out"
    assert rows["op8"]["adherent"] is False

    assert ready["adherent"] is True
    assert ready["scheduled"] == "working"
    assert ready["day"] == day.isoformat()
    assert datetime.fromisoformat(ready["since"]) == start
    assert ready["scheduled_min"] >= 1
    assert ready["adherence"] == 1.0

    assert away["adherent"] is False
    assert away["actual"] == "not_ready"
    assert away["reason"] == "meeting"
    assert datetime.fromisoformat(away["since"]) == away["away_at"]
    assert away["scheduled"] == "working"
    assert others == []  # op8's state did not change: no push for op8

    assert 'data-live="true"' in page
    assert '<tr data-agent="op7">' in page
    assert "/wfm/static/adherence.js" in page
    assert 'socket.on("adherence"' in script
