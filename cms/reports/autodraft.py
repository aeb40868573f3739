"""The daily report drafted automatically after the center closes (R-DAILY).

A subsystem checks every ``MADOGUCHI_DAILY_REPORT_CHECK_SECONDS`` whether the center's close
(``MADOGUCHI_DAILY_REPORT_CLOSE_TIME``, Japan time, default 19:00) has passed today; if so, the
day has contact events (a day the center was closed gets no report) and no report of today exists
in ``daily_report``, it drafts one with ① counted up to that moment
(``draft_daily(until=now)``), audited as ``report.daily.drafted`` by ``system:daily-report``, and
tells supervisors: ``/supervisor`` event ``daily_report_drafted`` and the snapshot's
``daily_report``. The database row is the record that the day is done, so a restart, a second
process or a repeated tick never drafts twice (the table's unique day settles a race). Approving
and sending stay supervisor actions after ②-⑤ are written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cms.models import ContactEvent
from cms.reports.daily import draft_daily
from cms.reports.models import DailyReport
from realtime.subsystems import LoopTask
from realtime.timeutil import JST, utcnow

if TYPE_CHECKING:
    from realtime.http.context import AppContext

log = logging.getLogger("cms.reports.autodraft")

ACTOR = "system:daily-report"
EVENT = "daily_report_drafted"
NAMESPACE = "/supervisor"


def close_moment(day: dt.date, close_time: str) -> dt.datetime:
    """The center's close on ``day`` (``HH:MM`` Japan time) as an aware instant."""
    hours, minutes = (int(part) for part in close_time.split(":", 1))
    return dt.datetime.combine(day, dt.time(hours, minutes), JST)


@dataclass(frozen=True)
class DraftNotice:
    """What supervisors are told about a report waiting for them."""

    day: dt.date
    state: str
    drafted_at: dt.datetime
    calls_received: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        """The push and snapshot payload."""
        return {
            "day": self.day.isoformat(),
            "state": self.state,
            "drafted_at": self.drafted_at.isoformat(),
            "calls_received": self.calls_received,
            "message": self.message,
        }


def notice_of(row: DailyReport) -> DraftNotice:
    """The notice for one report row."""
    numbers = json.loads(row.numbers or "{}")
    calls = numbers.get("calls_received")
    label = f"{row.day.month}月{row.day.day}日"
    message = {
        "draft": f"{label}の日報（下書き）を作成しました。②〜⑤を記入して承認・送信してください。",
        "approved": f"{label}の日報は承認済みで、まだ送信されていません。",
    }.get(row.state, f"{label}の日報は送信済みです。")
    drafted = row.drafted_at if row.drafted_at.tzinfo else row.drafted_at.replace(tzinfo=dt.UTC)
    drafted = drafted.astimezone(dt.UTC)
    return DraftNotice(row.day, row.state, drafted, calls, message)


def draft_if_due(session: Session, *, now: dt.datetime, close_time: str) -> DailyReport | None:
    """Draft today's report when the close has passed and none exists; the new row or None."""
    day = now.astimezone(JST).date()
    if now < close_moment(day, close_time):
        return None
    exists = session.exec(select(DailyReport.id).where(col(DailyReport.day) == day)).first()
    if exists is not None:
        return None
    start = dt.datetime.combine(day, dt.time(), JST)
    active = session.exec(
        select(ContactEvent.seq).where(
            col(ContactEvent.occurred_at) >= start, col(ContactEvent.occurred_at) < now
        )
    ).first()
    if active is None:  # the center did not work today (weekend, holiday): no report
        return None
    try:
        return draft_daily(session, day=day, actor=ACTOR, now=now, until=now)
    except IntegrityError:  # another process drafted it in the meantime
        session.rollback()
        return None


def waiting_report(session: Session, *, now: dt.datetime) -> DailyReport | None:
    """The newest report of the last week that is not sent yet (what supervisors must finish)."""
    since = now.astimezone(JST).date() - dt.timedelta(days=7)
    return session.exec(
        select(DailyReport)
        .where(col(DailyReport.day) >= since, col(DailyReport.state) != "sent")
        .order_by(col(DailyReport.day).desc())
    ).first()


@dataclass
class DailyDraftScheduler:
    """The subsystem; :meth:`tick` is the whole job (the loop only calls it on a timer)."""

    ctx: AppContext
    close_time: str = "19:00"
    interval: float = 60.0
    clock: Callable[[], dt.datetime] = utcnow
    name: str = "daily-report-draft"
    _loop_task: LoopTask = field(default_factory=lambda: LoopTask("daily report drafting"))

    async def start(self) -> None:
        """Add the snapshot part and run the loop."""
        self.ctx.hub.add_snapshot_provider(NAMESPACE, self._snapshot)
        self._loop_task.start(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Stop the loop."""
        await self._loop_task.stop()

    async def ready(self) -> None:
        """Ready while the loop runs."""
        self._loop_task.check()

    async def _snapshot(self, *_args: Any) -> dict[str, Any]:
        now = self.clock()

        def load() -> dict[str, Any] | None:
            with self.ctx.db.session() as session:
                row = waiting_report(session, now=now)
                return notice_of(row).to_json() if row is not None else None

        return {"daily_report": await self.ctx.db.run(load)}

    async def tick(self, now: dt.datetime | None = None) -> DraftNotice | None:
        """Draft today's report if it is due; push the notice; the notice or None."""
        moment = now or self.clock()

        def run() -> DraftNotice | None:
            with self.ctx.db.session() as session:
                row = draft_if_due(session, now=moment, close_time=self.close_time)
                return notice_of(row) if row is not None else None

        notice = await self.ctx.db.run(run)
        if notice is not None:
            log.info("daily report of %s drafted after close", notice.day)
            await self.ctx.hub.emit(EVENT, notice.to_json(), namespace=NAMESPACE, room="all")
        return notice

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a database hiccup must not stop tomorrow's draft
                log.exception("daily report draft round failed")
            await asyncio.sleep(self.interval)


def build(ctx: AppContext) -> DailyDraftScheduler | None:
    """The app's subsystem factory; None when ``MADOGUCHI_DAILY_REPORT_AUTO_DRAFT`` is false."""
    settings = ctx.settings
    if not settings.daily_report_auto_draft:
        return None
    return DailyDraftScheduler(
        ctx,
        close_time=settings.daily_report_close_time,
        interval=settings.daily_report_check_seconds,
    )
