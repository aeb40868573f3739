"""Decisions of the business calendar: what is open on a line at a moment, and city business days.

Rules (spec 表2-1 and 3.4; see docs/calendar.md):

* Live service (有人対応) runs every day of the year, 8:00-19:00, weekends, public holidays
  and the year-end closure included (「土日祝祭日（年末年始を含む）の別なく年中無休」). The year-end
  closure does NOT stop live service: agents keep answering, but the switchboard and the city's
  departments are closed, so hand-offs are impossible and the guidance says so.
* Switchboard (交換業務) runs Mon-Fri 8:30-17:15 and is closed on public holidays, substitute
  holidays (振替休日), citizens' holidays (国民の休日), the year-end closure (12/29-1/3) and any
  closure an administrator adds.
* An administrator's closure names the services it stops; it may stop live service too (e.g. a
  system maintenance day). Closures are whole days in local time.
* Intervals are half-open in local (Japan) time: 8:00:00 is open, 19:00:00 is closed.
* Emergency mode (N-BCP-1) switches the guidance to ``"emergency"`` at once and carries the
  overflow number for routing; it does not change which services are open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from switch.calendar.errors import InvalidCalendarData, NaiveDatetimeError
from switch.calendar.holidays import holiday_name
from switch.calendar.model import (
    AnnualClosure,
    CalendarConfig,
    Closure,
    DayWindows,
    EmergencyState,
    LineHours,
    Service,
    default_config,
)

Guidance = Literal["normal", "out_of_hours", "holiday", "year_end", "closure", "emergency"]

SEARCH_HORIZON_DAYS = 400
"""How far ahead ``next_live_open`` and the business-day searches look before giving up."""

WEEKDAY_JA = ("月", "火", "水", "木", "金", "土", "日")
SERVICE_JA = {
    Service.LIVE: "有人対応",
    Service.SWITCHBOARD: "交換業務",
    Service.INTAKE: "FAX・メール受付",
}
_JST = dt.timezone(dt.timedelta(hours=9), "JST")


@dataclass(frozen=True, slots=True)
class CalendarDecision:
    """What is open on one line at one moment, and which IVR guidance plays.

    ``guidance`` names the prompt set, most specific first: ``emergency`` (emergency mode in
    force) > ``closure`` (an administrator's closure today) > ``year_end`` > ``holiday`` >
    ``out_of_hours`` (an ordinary day, live service closed now) > ``normal``. On a holiday or
    during the year-end closure the guidance stays ``holiday``/``year_end`` all day: the IVR
    combines it with ``live_open`` (e.g. "agents answer, but no hand-offs to departments today").

    ``next_live_open`` is None while live service is open; when it is closed, the start of the
    next live window (None if the line has no live service within ``SEARCH_HORIZON_DAYS``).
    """

    did: str
    at: dt.datetime
    live_open: bool
    switchboard_open: bool
    intake_open: bool
    guidance: Guidance
    reason_ja: str
    next_live_open: dt.datetime | None
    emergency: EmergencyState | None


@dataclass(frozen=True, slots=True)
class _DayPlan:
    """One line's effective windows on one local date, after holidays and closures."""

    day: dt.date
    holiday: str | None
    annual: tuple[AnnualClosure, ...]
    closures: tuple[Closure, ...]
    windows: dict[Service, DayWindows]
    stopped_by: dict[Service, str]

    def open_at(self, service: Service, moment: dt.time) -> bool:
        return any(window.contains(moment) for window in self.windows[service])

    def guidance(self, *, live_open: bool) -> Guidance:
        if self.closures:
            return "closure"
        if self.annual:
            return self.annual[0].guidance
        if self.holiday is not None:
            return "holiday"
        return "normal" if live_open else "out_of_hours"

    def label_ja(self) -> str:
        parts = [f"臨時休業（{closure.reason}）" for closure in self.closures]
        parts += [f"{rule.reason}（{rule.label_ja()}）" for rule in self.annual]
        if self.holiday is not None:
            parts.append(f"祝日（{self.holiday}）")
        if not parts:
            parts.append("週末" if self.day.weekday() >= 5 else "平日")
        return "・".join(parts)


@cache
def timezone_of(name: str) -> dt.tzinfo:
    """The tzinfo of an IANA name; UTC+9 for Asia/Tokyo even without a tz database."""
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if name == "Asia/Tokyo":
            return _JST  # no tz database installed; Japan has kept UTC+9 without DST since 1952
        raise InvalidCalendarData(
            field="timezone", problem=f"タイムゾーンが見つかりません: {name}"
        ) from None


def _local(config: CalendarConfig, at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetimeError(value=at)
    return at.astimezone(timezone_of(config.timezone))


def _day_plan(config: CalendarConfig, line: LineHours, day: dt.date) -> _DayPlan:
    holiday = holiday_name(day)
    annual = tuple(rule for rule in config.annual_closures if rule.applies_to(day, line.did))
    closures = tuple(c for c in config.closures if c.applies_to(day, line.did))
    windows: dict[Service, DayWindows] = {}
    stopped_by: dict[Service, str] = {}
    for service in Service:
        causes = [closure.reason for closure in closures if service in closure.services]
        causes += [rule.reason for rule in annual if service in rule.services]
        if holiday is not None and line.closed_on_holidays(service):
            causes.append("祝日")
        planned = line.windows(service, day.weekday())
        if causes and planned:
            stopped_by[service] = "・".join(causes)
        windows[service] = () if causes else planned
    return _DayPlan(day, holiday, annual, closures, windows, stopped_by)


def _next_live_open(
    config: CalendarConfig, line: LineHours, local: dt.datetime
) -> dt.datetime | None:
    if not line.offers(Service.LIVE):
        return None
    for offset in range(SEARCH_HORIZON_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        for window in _day_plan(config, line, day).windows[Service.LIVE]:
            opens = dt.datetime.combine(day, window.start, tzinfo=local.tzinfo)
            if opens > local:
                return opens
    return None


def _when_ja(moment: dt.datetime) -> str:
    seconds = f":{moment.second:02d}" if moment.second else ""
    return (
        f"{moment.month}月{moment.day}日（{WEEKDAY_JA[moment.weekday()]}）"
        f"{moment.hour}:{moment.minute:02d}{seconds}"
    )


def _service_ja(plan: _DayPlan, line: LineHours, service: Service, *, is_open: bool) -> str:
    planned = line.windows(service, plan.day.weekday())
    hours = "・".join(window.label_ja() for window in planned)
    if is_open:
        return f"{SERVICE_JA[service]}：受付中（{hours}）"
    if service in plan.stopped_by:
        return f"{SERVICE_JA[service]}：終日休止（{plan.stopped_by[service]}）"
    if not planned:
        return f"{SERVICE_JA[service]}：本日は取扱いなし"
    return f"{SERVICE_JA[service]}：時間外（{hours}）"


def _reason_ja(
    plan: _DayPlan,
    line: LineHours,
    local: dt.datetime,
    opened: dict[Service, bool],
    next_live_open: dt.datetime | None,
    emergency: EmergencyState | None,
) -> str:
    parts: list[str] = []
    if emergency is not None:
        overflow = f"、転送先 {emergency.overflow_number}" if emergency.overflow_number else ""
        parts.append(f"緊急体制中（案内 {emergency.message_key}{overflow}）")
    parts.append(f"{line.name_ja} {local.year}年{_when_ja(local)}：{plan.label_ja()}")
    for service in Service:
        if line.offers(service):
            parts.append(_service_ja(plan, line, service, is_open=opened[service]))
    if next_live_open is not None:
        parts.append(f"次の有人対応開始：{_when_ja(next_live_open)}")
    return "。".join(parts) + "。"


def decide(config: CalendarConfig, *, did: str, at: dt.datetime) -> CalendarDecision:
    """What is open on line ``did`` at the aware moment ``at`` (evaluated in Japan time)."""
    local = _local(config, at)
    line = config.line(did)
    plan = _day_plan(config, line, local.date())
    moment = local.time()
    opened = {service: plan.open_at(service, moment) for service in Service}
    emergency = config.emergency if config.emergency.in_force_at(local) else None
    live_open = opened[Service.LIVE]
    next_live_open = None if live_open else _next_live_open(config, line, local)
    return CalendarDecision(
        did=line.did,
        at=local,
        live_open=live_open,
        switchboard_open=opened[Service.SWITCHBOARD],
        intake_open=opened[Service.INTAKE],
        guidance="emergency" if emergency is not None else plan.guidance(live_open=live_open),
        reason_ja=_reason_ja(plan, line, local, opened, next_live_open, emergency),
        next_live_open=next_live_open,
        emergency=emergency,
    )


@cache
def _default_config() -> CalendarConfig:
    return default_config()


def is_city_business_day(day: dt.date, config: CalendarConfig | None = None) -> bool:
    """Whether the city hall is open on ``day``: a workday, no holiday, no city-wide closure."""
    rules = config if config is not None else _default_config()
    if day.weekday() not in rules.city_workdays or holiday_name(day) is not None:
        return False
    if any(rule.closes_city and rule.covers(day) for rule in rules.annual_closures):
        return False
    return not any(closure.closes_city and closure.date == day for closure in rules.closures)


def business_days(config: CalendarConfig, start: dt.date, end: dt.date) -> list[dt.date]:
    """The city business days from ``start`` to ``end``, both included (empty if end < start)."""
    count = (end - start).days + 1
    days = (start + dt.timedelta(days=offset) for offset in range(max(count, 0)))
    return [day for day in days if is_city_business_day(day, config)]


def closed_days_before(day: dt.date, config: CalendarConfig | None = None) -> int:
    """How many non-business days come right before ``day`` (2 for an ordinary Monday)."""
    count = 0
    cursor = day - dt.timedelta(days=1)
    while not is_city_business_day(cursor, config):
        count += 1
        if count > SEARCH_HORIZON_DAYS:
            raise InvalidCalendarData(field="closures", problem="営業日が1年以上ありません")
        cursor -= dt.timedelta(days=1)
    return count


def first_business_day_after_break(day: dt.date, config: CalendarConfig | None = None) -> dt.date:
    """The day the city reopens after the break containing ``day`` (``day`` if it is open)."""
    cursor = day
    for _ in range(SEARCH_HORIZON_DAYS + 1):
        if is_city_business_day(cursor, config):
            return cursor
        cursor += dt.timedelta(days=1)
    raise InvalidCalendarData(field="closures", problem="営業日が1年以上ありません")


def is_first_business_day_after_break(
    day: dt.date, config: CalendarConfig | None = None, *, min_closed_days: int = 3
) -> bool:
    """Whether ``day`` reopens the city after at least ``min_closed_days`` closed days."""
    if not is_city_business_day(day, config):
        return False
    return closed_days_before(day, config) >= min_closed_days
