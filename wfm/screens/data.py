"""What the WFM screens and exports show, gathered from the database (one function a screen)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from cms.models import ContactEvent
from realtime.errors import MadoguchiError
from realtime.timeutil import JST, as_utc
from wfm.adherence.compute import EXCEPTION_LABELS_JA, AdherenceReport
from wfm.export import Sheet
from wfm.forecast.eventlog import OfferedCall, history_from_event_log
from wfm.forecast.service import forecast_range
from wfm.intraday.profile import profile_from_timestamps, slot_label
from wfm.shifts.service import StoredSchedule
from wfm.staffing.requirement import StaffingTarget
from wfm.staffing.table import Interval, StaffingRow, staffing_table

HISTORY_DAYS = 730
PROFILE_DAYS = 56


def _calls(session: Session, *, start: datetime, end: datetime) -> list[datetime]:
    rows = session.exec(
        select(ContactEvent.occurred_at, ContactEvent.payload).where(
            col(ContactEvent.type) == "contact.received",
            col(ContactEvent.channel) == "call",
            col(ContactEvent.occurred_at) >= start,
            col(ContactEvent.occurred_at) < end,
        )
    ).all()
    return [
        at for at, payload in rows if json.loads(payload or "{}").get("direction") != "outbound"
    ]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), JST)


@dataclass(frozen=True)
class ForecastView:
    """Forecast and actual calls per day; ``message`` says why a forecast is missing."""

    start: date
    end: date
    days: tuple[tuple[date, int | None, int], ...]
    message: str | None

    def sheet(self) -> Sheet:
        """The table as an export sheet."""
        return Sheet(
            "予測と実績",
            ("日付", "予測呼数", "実績呼数", "差(実績-予測)"),
            tuple((d.isoformat(), f, a, None if f is None else a - f) for d, f, a in self.days),
        )


def forecast_vs_actual(session: Session, *, start: date, end: date) -> ForecastView:
    """Actual offered calls per day from the event log; forecast fitted on the days before."""
    calls = _calls(session, start=_midnight(start - timedelta(days=HISTORY_DAYS)),
                   end=_midnight(end + timedelta(days=1)))  # fmt: skip
    actual: dict[date, int] = {}
    history_calls: list[OfferedCall] = []
    for at in calls:
        day = as_utc(at).astimezone(JST).date()
        if day >= start:
            actual[day] = actual.get(day, 0) + 1
        else:
            history_calls.append(OfferedCall(at, ""))
    forecast: dict[date, int] = {}
    message: str | None = None
    try:
        history = history_from_event_log(history_calls, last=start - timedelta(days=1))
        forecast = forecast_range(history=history, start=start, end=end).calls
    except MadoguchiError as exc:
        message = f"予測を作成できません: {exc.message}"
        problems = exc.data.get("problems") if isinstance(exc.data, dict) else None
        if problems:
            message += " " + " ".join(str(p.get("message_ja", "")) for p in problems)
    days = []
    d = start
    while d <= end:
        days.append((d, forecast.get(d), actual.get(d, 0)))
        d += timedelta(days=1)
    return ForecastView(start, end, tuple(days), message)


@dataclass(frozen=True)
class StaffingView:
    """The staffing table of one day; ``message`` says why it is empty."""

    day: date
    calls: float
    rows: tuple[StaffingRow, ...]
    message: str | None

    def sheet(self) -> Sheet:
        """The table as an export sheet."""
        out = []
        for r in self.rows:
            m = r.plan.metrics
            out.append(
                (
                    r.label, round(r.calls, 1), r.aht_s, r.erlang_c.agents,
                    None if r.erlang_a is None else r.erlang_a.agents,
                    round(m.service_level * 100, 1), round(m.p_abandon * 100, 1),
                    round(m.asa_s, 1) if math.isfinite(m.asa_s) else None,
                    round(m.occupancy * 100, 1), r.scheduled,
                )
            )  # fmt: skip
        return Sheet(
            f"要員 {self.day.isoformat()}",
            ("時間帯", "予測呼数", "AHT秒", "必要(ErlangC)", "必要(ErlangA)", "応答率%",
             "放棄率%", "平均応答秒", "稼働率%", "配置人数"),
            tuple(out),
        )  # fmt: skip


def staffing_view(
    session: Session,
    *,
    day: date,
    calls: float | None,
    aht_s: float,
    patience_s: float | None,
    target: StaffingTarget,
) -> StaffingView:
    """Calls per half hour (day total x the event log's weekday profile) and the staffing."""
    since = _midnight(day - timedelta(days=PROFILE_DAYS))
    try:
        profile = profile_from_timestamps(
            timestamps=_calls(session, start=since, end=_midnight(day))
        )
    except MadoguchiError:
        return StaffingView(
            day, calls or 0.0, (),
            f"直近 {PROFILE_DAYS} 日の着信がないため、"
            "時間帯別の呼数の形(プロファイル)を作れません。",
        )  # fmt: skip
    if calls is None:
        view = forecast_vs_actual(session, start=day, end=day)
        forecast = view.days[0][1]
        if forecast is None:
            return StaffingView(
                day, 0.0, (), (view.message or "") + " 日の呼数を入力してください。"
            )
        calls = float(forecast)
    shares = profile.split(total=calls, weekday=day.weekday())
    open_slots = [i for i, s in enumerate(profile.for_weekday(day.weekday())) if s > 0]
    if not open_slots:
        return StaffingView(day, calls, (), "この曜日の着信がありません。")
    intervals = [
        Interval(slot_label(i), shares[i], aht_s) for i in range(open_slots[0], open_slots[-1] + 1)
    ]
    rows = staffing_table(intervals=intervals, target=target, patience_s=patience_s)
    return StaffingView(day, calls, tuple(rows), None)


def _hhmm(at: datetime) -> str:
    return as_utc(at).astimezone(JST).strftime("%H:%M")


@dataclass(frozen=True)
class ScheduleGrid:
    """Agents by days with the shift of each cell, and coverage per day and slot."""

    name: str
    days: tuple[date, ...]
    agents: tuple[str, ...]
    cells: dict[tuple[str, date], str]
    weekly_minutes: dict[str, int]
    coverage: dict[date, list[tuple[str, int, float]]]
    warnings: tuple[str, ...]

    def sheet(self) -> Sheet:
        """The grid as an export sheet (one row per agent)."""
        return Sheet(
            "シフト表",
            ("担当者", *(d.strftime("%m/%d") for d in self.days), "合計時間"),
            tuple(
                (a, *(self.cells.get((a, d), "休") for d in self.days),
                 round(self.weekly_minutes.get(a, 0) / 60, 2))
                for a in self.agents
            ),
        )  # fmt: skip


def schedule_grid(stored: StoredSchedule) -> ScheduleGrid:
    """The schedule as a grid, with required against scheduled agents per slot."""
    row = stored.row
    days = tuple(
        row.first_day + timedelta(days=i) for i in range((row.last_day - row.first_day).days + 1)
    )
    cells: dict[tuple[str, date], str] = {}
    minutes: dict[str, int] = {}
    for a in stored.assignments:
        text = f"{_hhmm(a.start_at)}-{_hhmm(a.end_at)}"
        cells[a.agent_id, a.day] = text
        minutes[a.agent_id] = minutes.get(a.agent_id, 0) + a.work_min
    requirement: dict[str, list[int]] = json.loads(row.requirement)
    coverage: dict[date, list[tuple[str, int, float]]] = {}
    for day in days:
        need = requirement.get(day.isoformat(), [])
        slots = []
        for s, n in enumerate(need):
            start = _midnight(day) + timedelta(minutes=row.first_slot_min + s * row.slot_min)
            end = start + timedelta(minutes=row.slot_min)
            worked = 0.0
            for a in stored.assignments:
                if a.day != day:
                    continue
                spans = [(a.start_at, a.end_at)]
                if a.break_start_at is not None and a.break_end_at is not None:
                    spans = [(a.start_at, a.break_start_at), (a.break_end_at, a.end_at)]
                for lo, hi in spans:
                    overlap = (min(end, as_utc(hi)) - max(start, as_utc(lo))).total_seconds()
                    worked += max(0.0, overlap)
            label = (start.astimezone(JST)).strftime("%H:%M")
            slots.append((label, n, worked / (row.slot_min * 60)))
        coverage[day] = slots
    return ScheduleGrid(
        name=row.name, days=days,
        agents=tuple(sorted({a.agent_id for a in stored.assignments})),
        cells=cells, weekly_minutes=minutes, coverage=coverage,
        warnings=tuple(json.loads(row.warnings)),
    )  # fmt: skip


def adherence_sheet(report: AdherenceReport) -> tuple[Sheet, Sheet]:
    """Adherence per agent and the exceptions, as export sheets."""
    agents = Sheet(
        "遵守率",
        ("担当者", "予定勤務分", "遵守分", "遵守率%", "現在の状態", "例外件数"),
        tuple(
            (a.agent_id, a.scheduled_min, a.adherent_min,
             None if a.adherence is None else round(a.adherence * 100, 1),
             a.state_now, len(a.exceptions))
            for a in report.agents
        ),
    )  # fmt: skip
    exceptions = Sheet(
        "例外",
        ("担当者", "種類", "開始", "分", "理由"),
        tuple(
            (x.agent_id, EXCEPTION_LABELS_JA[x.kind], _hhmm(x.start_at), x.minutes, x.reason or "")
            for x in report.exceptions
        ),
    )
    return agents, exceptions
