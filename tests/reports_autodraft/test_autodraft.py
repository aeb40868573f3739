"""The daily report is drafted by the server after the center's close, exactly once per day,
also across restarts; supervisors are told (R-DAILY). The clock is driven by the test."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from cms import service as events
from cms.events import Channel, EventType
from cms.reports.autodraft import EVENT, DailyDraftScheduler
from cms.reports.models import DailyReport
from realtime.audit.models import AuditEntry
from realtime.timeutil import JST
from tests.support.app import make_app, make_settings

DAY = dt.date(2026, 11, 2)


def jst(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), JST)


@pytest.fixture
def apps() -> Iterator[list[Any]]:
    """Apps a test builds; their database connections are closed at the end."""
    built: list[Any] = []
    yield built
    for app in built:
        app.ctx.db.dispose()


def _scheduler(app: Any) -> DailyDraftScheduler:
    found = [s for s in app.ctx.extras["subsystems"] if isinstance(s, DailyDraftScheduler)]
    assert len(found) == 1, "the draft scheduler is one of the app's subsystems"
    return found[0]


def _record_pushes(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, str]]:
    pushed: list[tuple[str, Any, str]] = []

    async def emit(name: str, data: Any, *, namespace: str, room: str | None = None) -> None:
        pushed.append((name, data, namespace))

    monkeypatch.setattr(app.ctx.hub, "emit", emit)
    return pushed


def _calls(app: Any, *moments: dt.datetime) -> None:
    batch = [
        events.NewEvent(
            type=EventType.CONTACT_RECEIVED, occurred_at=at, channel=Channel.CALL,
            contact_id=f"call-{i}", line="0339811111",
        )
        for i, at in enumerate(moments)
    ]  # fmt: skip
    with app.ctx.db.session() as session:
        events.append_many(session, events=batch)


def _reports(app: Any) -> list[DailyReport]:
    with app.ctx.db.session() as session:
        return list(session.exec(select(DailyReport)))


def _drafted_audits(app: Any) -> int:
    with app.ctx.db.session() as session:
        stmt = select(AuditEntry).where(col(AuditEntry.action) == "report.daily.drafted")
        return len(list(session.exec(stmt)))


@pytest.mark.req("R-DAILY")
def test_report_is_drafted_once_after_close_and_not_again_after_a_restart(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, apps: list[Any]
) -> None:
    settings = make_settings(tmp_path, database_url)
    app = make_app(settings)
    apps.append(app)
    pushed = _record_pushes(app, monkeypatch)
    _calls(app, jst(9, 30), jst(14, 5), jst(19, 30))  # the last one after the close
    scheduler = _scheduler(app)
    assert scheduler.close_time == "19:00"

    assert asyncio.run(scheduler.tick(jst(18, 59))) is None
    assert _reports(app) == []
    assert pushed == []

    notice = asyncio.run(scheduler.tick(jst(19, 0)))
    assert notice is not None
    assert notice.day == DAY
    assert notice.state == "draft"
    assert notice.calls_received == 2  # counted up to the close
    assert "②〜⑤" in notice.message
    (row,) = _reports(app)
    assert row.day == DAY
    assert row.state == "draft"
    assert row.complaints == ""  # ②-⑤ are the supervisors' to write
    assert pushed == [(EVENT, notice.to_json(), "/supervisor")]

    assert asyncio.run(scheduler.tick(jst(19, 1))) is None
    assert asyncio.run(scheduler.tick(jst(23, 59))) is None

    # a restart: a new app on the same database, ticking again the same evening
    restarted = make_app(settings)
    apps.append(restarted)
    again = _record_pushes(restarted, monkeypatch)
    assert asyncio.run(_scheduler(restarted).tick(jst(20, 0))) is None
    assert len(_reports(restarted)) == 1
    assert _drafted_audits(restarted) == 1
    assert again == []


@pytest.mark.req("R-DAILY")
def test_close_time_is_a_setting_and_a_day_without_contacts_gets_no_report(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, apps: list[Any]
) -> None:
    app = make_app(make_settings(tmp_path, database_url, daily_report_close_time="17:15"))
    apps.append(app)
    _record_pushes(app, monkeypatch)
    scheduler = _scheduler(app)
    holiday = DAY + dt.timedelta(days=1)
    _calls(app, jst(10, 0, holiday + dt.timedelta(days=1)))  # contacts only the day after

    assert asyncio.run(scheduler.tick(jst(20, 0, holiday))) is None  # nothing happened that day
    assert _reports(app) == []
    worked = holiday + dt.timedelta(days=1)
    assert asyncio.run(scheduler.tick(jst(17, 14, worked))) is None
    notice = asyncio.run(scheduler.tick(jst(17, 15, worked)))
    assert notice is not None
    assert notice.day == worked
    assert notice.calls_received == 1


@pytest.mark.req("R-DAILY")
def test_supervisor_snapshot_names_the_report_waiting_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[Any]
) -> None:
    app = make_app(make_settings(tmp_path))
    apps.append(app)
    _record_pushes(app, monkeypatch)
    scheduler = _scheduler(app)
    scheduler.clock = lambda: jst(19, 30)
    _calls(app, jst(11, 0))
    assert asyncio.run(scheduler._snapshot()) == {"daily_report": None}
    notice = asyncio.run(scheduler.tick())
    assert notice is not None
    assert asyncio.run(scheduler._snapshot()) == {"daily_report": notice.to_json()}
