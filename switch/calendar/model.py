"""Plain, immutable data the business calendar decides from.

A later admin service loads these from tables; nothing here touches a database. Numbers
(DIDs, overflow numbers) are kept in national digit form, e.g. ``0339811111``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from switch.calendar.errors import InvalidCalendarData, UnknownLine

DAYS_IN_WEEK = 7
MIDNIGHT = dt.time(0, 0)

MAIN_DID = "0339811111"
"""区代表電話 (03-3981-1111): the call center's main line."""
COVID_DID = "0345662466"
"""新型コロナウイルスに関する区民相談専用ダイヤル (03-4566-2466)."""
FAX_DID = "0339811280"
"""FAX 受付番号 (03-3981-1280)."""


class Service(StrEnum):
    """What a line offers: live agents, switchboard hand-offs, unattended e-mail/fax intake."""

    LIVE = "live"
    SWITCHBOARD = "switchboard"
    INTAKE = "intake"


_NUMBER_PUNCTUATION = re.compile(r"[\s\-‐－ー()（）.]")


def normalize_number(raw: str) -> str:
    """National digit form (``+81-3-3981-1111``, ``０３-…`` -> ``0339811111``); else ``+digits``."""
    text = _NUMBER_PUNCTUATION.sub("", unicodedata.normalize("NFKC", raw).strip())
    prefix = ""
    if text.startswith("+81"):
        text = "0" + text[3:]
    elif text.startswith("+"):
        prefix, text = "+", text[1:]
    if not text.isascii() or not text.isdigit() or not 3 <= len(text) <= 15:
        problem = f"電話番号の形式が正しくありません: {raw!r}"
        raise InvalidCalendarData(field="number", problem=problem)
    return prefix + text


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    """A half-open daily interval [start, end) in local time; ``end`` 00:00 means 24:00."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidCalendarData(field="window", problem="時刻にタイムゾーンは指定できません")
        if not self.ends_at_midnight and self.end <= self.start:
            raise InvalidCalendarData(
                field="window", problem=f"終了時刻は開始時刻より後にしてください: {self.label_ja()}"
            )

    @classmethod
    def all_day(cls) -> ServiceWindow:
        """The whole day, 0:00-24:00."""
        return cls(MIDNIGHT, MIDNIGHT)

    @property
    def ends_at_midnight(self) -> bool:
        """Whether the window runs to the end of the day."""
        return self.end == MIDNIGHT

    def contains(self, moment: dt.time) -> bool:
        """Whether the local time of day ``moment`` falls inside [start, end)."""
        if moment < self.start:
            return False
        return self.ends_at_midnight or moment < self.end

    def overlaps(self, other: ServiceWindow) -> bool:
        """Whether two windows of the same day share any instant."""
        first, second = sorted((self, other), key=lambda w: w.start)
        return first.ends_at_midnight or second.start < first.end

    def label_ja(self) -> str:
        """The window as shown to admins, e.g. ``8:30〜17:15``."""
        end = "24:00" if self.ends_at_midnight else f"{self.end.hour}:{self.end.minute:02d}"
        return f"{self.start.hour}:{self.start.minute:02d}〜{end}"


DayWindows = tuple[ServiceWindow, ...]
WeekWindows = tuple[DayWindows, ...]
"""Seven entries, Monday first (``date.weekday()`` order)."""

WEEKDAYS_MON_FRI: frozenset[int] = frozenset(range(5))
EVERY_DAY: frozenset[int] = frozenset(range(DAYS_IN_WEEK))


def weekly(windows: Iterable[ServiceWindow], days: Iterable[int] = EVERY_DAY) -> WeekWindows:
    """The same windows on each of ``days`` (0 = Monday) and none on the others."""
    chosen = frozenset(days)
    if not chosen <= EVERY_DAY:
        problem = f"曜日は0〜6で指定してください: {sorted(chosen)}"
        raise InvalidCalendarData(field="days", problem=problem)
    day_windows = tuple(windows)
    return tuple(day_windows if day in chosen else () for day in range(DAYS_IN_WEEK))


NO_WINDOWS: WeekWindows = weekly((), ())


def _checked_week(name: str, week: WeekWindows) -> WeekWindows:
    if len(week) != DAYS_IN_WEEK:
        raise InvalidCalendarData(field=name, problem="曜日ごとの時間帯は7日分（月〜日）必要です")
    ordered: list[DayWindows] = []
    for day_windows in week:
        ranked = tuple(sorted(day_windows, key=lambda w: w.start))
        for earlier, later in itertools.pairwise(ranked):
            if earlier.overlaps(later):
                raise InvalidCalendarData(
                    field=name,
                    problem=f"時間帯が重なっています: {earlier.label_ja()} と {later.label_ja()}",
                )
        ordered.append(ranked)
    return tuple(ordered)


@dataclass(frozen=True, slots=True)
class LineHours:
    """The hours of one dialled number (DID), per service and weekday."""

    did: str
    name_ja: str
    live: WeekWindows = NO_WINDOWS
    switchboard: WeekWindows = NO_WINDOWS
    intake: WeekWindows = NO_WINDOWS
    holidays_close_live: bool = False
    holidays_close_switchboard: bool = True
    holidays_close_intake: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "did", normalize_number(self.did))
        for service in Service:
            object.__setattr__(
                self, service.value, _checked_week(service.value, self.week(service))
            )

    def week(self, service: Service) -> WeekWindows:
        """The weekly windows of ``service``."""
        if service is Service.LIVE:
            return self.live
        if service is Service.SWITCHBOARD:
            return self.switchboard
        return self.intake

    def windows(self, service: Service, weekday: int) -> DayWindows:
        """The windows of ``service`` on ``weekday`` (0 = Monday), before any closure."""
        return self.week(service)[weekday]

    def offers(self, service: Service) -> bool:
        """Whether the line offers ``service`` on any day of the week."""
        return any(self.week(service))

    def closed_on_holidays(self, service: Service) -> bool:
        """Whether public holidays close ``service`` on this line."""
        if service is Service.LIVE:
            return self.holidays_close_live
        if service is Service.SWITCHBOARD:
            return self.holidays_close_switchboard
        return self.holidays_close_intake


def _checked_dids(dids: frozenset[str] | None) -> frozenset[str] | None:
    return None if dids is None else frozenset(normalize_number(d) for d in dids)


def _checked_services(services: frozenset[Service]) -> frozenset[Service]:
    checked = frozenset(Service(s) for s in services)
    if not checked:
        problem = "休止するサービスを1つ以上指定してください"
        raise InvalidCalendarData(field="services", problem=problem)
    return checked


@dataclass(frozen=True, slots=True)
class Closure:
    """A whole day an administrator closed: which services stop, on which lines (None = all)."""

    date: dt.date
    reason: str
    services: frozenset[Service] = frozenset({Service.SWITCHBOARD})
    dids: frozenset[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "services", _checked_services(self.services))
        object.__setattr__(self, "dids", _checked_dids(self.dids))

    def applies_to(self, day: dt.date, did: str) -> bool:
        """Whether this closure covers ``day`` on line ``did``."""
        return self.date == day and (self.dids is None or did in self.dids)

    @property
    def closes_city(self) -> bool:
        """Whether the city itself is closed (every line's switchboard hand-offs stop)."""
        return self.dids is None and Service.SWITCHBOARD in self.services


@dataclass(frozen=True, slots=True)
class AnnualClosure:
    """A closure repeating every year from (month, day) to (month, day), inclusive.

    The range may cross New Year: 12/29 to 1/3 covers Dec 29-31 and Jan 1-3 of every year.
    """

    start_month: int
    start_day: int
    end_month: int
    end_day: int
    reason: str
    services: frozenset[Service] = frozenset({Service.SWITCHBOARD})
    dids: frozenset[str] | None = None
    guidance: Literal["year_end", "closure"] = "year_end"

    def __post_init__(self) -> None:
        for label, month, day in (
            ("start", self.start_month, self.start_day),
            ("end", self.end_month, self.end_day),
        ):
            try:
                dt.date(2000, month, day)  # a leap year, so 2/29 is accepted
            except ValueError as exc:
                raise InvalidCalendarData(
                    field=label, problem=f"存在しない日付です: {month}月{day}日"
                ) from exc
        object.__setattr__(self, "services", _checked_services(self.services))
        object.__setattr__(self, "dids", _checked_dids(self.dids))

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the yearly range."""
        key = (day.month, day.day)
        start = (self.start_month, self.start_day)
        end = (self.end_month, self.end_day)
        if start <= end:
            return start <= key <= end
        return key >= start or key <= end

    def applies_to(self, day: dt.date, did: str) -> bool:
        """Whether this closure covers ``day`` on line ``did``."""
        return self.covers(day) and (self.dids is None or did in self.dids)

    @property
    def closes_city(self) -> bool:
        """Whether the city itself is closed (every line's switchboard hand-offs stop)."""
        return self.dids is None and Service.SWITCHBOARD in self.services

    def label_ja(self) -> str:
        """The range as shown to admins, e.g. ``12月29日〜1月3日``."""
        return f"{self.start_month}月{self.start_day}日〜{self.end_month}月{self.end_day}日"


@dataclass(frozen=True, slots=True)
class EmergencyState:
    """Emergency operation (N-BCP-1), switched on by a supervisor at the city's request."""

    active: bool
    since: dt.datetime | None = None
    message_key: str = ""
    overflow_number: str | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.since.utcoffset() is None:
            raise InvalidCalendarData(field="since", problem="開始日時にタイムゾーンが必要です")
        if self.active and not self.message_key:
            problem = "緊急ガイダンスを指定してください"
            raise InvalidCalendarData(field="message_key", problem=problem)
        if self.overflow_number is not None:
            object.__setattr__(self, "overflow_number", normalize_number(self.overflow_number))

    @classmethod
    def inactive(cls) -> EmergencyState:
        """Normal operation."""
        return cls(active=False)

    def in_force_at(self, moment: dt.datetime) -> bool:
        """Whether emergency operation governs a call at the aware ``moment``."""
        return self.active and (self.since is None or moment >= self.since)


@dataclass(frozen=True, slots=True)
class CalendarConfig:
    """Everything the calendar decides from: lines, yearly and one-off closures, emergency."""

    lines: tuple[LineHours, ...]
    annual_closures: tuple[AnnualClosure, ...] = ()
    closures: tuple[Closure, ...] = ()
    emergency: EmergencyState = field(default_factory=EmergencyState.inactive)
    city_workdays: frozenset[int] = WEEKDAYS_MON_FRI
    timezone: str = "Asia/Tokyo"

    def __post_init__(self) -> None:
        dids = [line.did for line in self.lines]
        duplicated = sorted({d for d in dids if dids.count(d) > 1})
        if duplicated:
            raise InvalidCalendarData(field="lines", problem=f"番号が重複しています: {duplicated}")
        if not self.city_workdays <= EVERY_DAY:
            raise InvalidCalendarData(field="city_workdays", problem="曜日は0〜6で指定してください")

    def line(self, did: str) -> LineHours:
        """The hours of ``did`` (any common notation of the number)."""
        try:
            wanted = normalize_number(did)
        except InvalidCalendarData:
            wanted = did
        for line in self.lines:
            if line.did == wanted:
                return line
        raise UnknownLine(did=did, known=[line.did for line in self.lines])

    def with_closures(self, *added: Closure) -> CalendarConfig:
        """A copy with ``added`` one-off closures."""
        return replace(self, closures=(*self.closures, *added))

    def with_emergency(self, state: EmergencyState) -> CalendarConfig:
        """A copy with emergency operation set to ``state``."""
        return replace(self, emergency=state)

    def with_line(self, line: LineHours) -> CalendarConfig:
        """A copy where ``line`` replaces the line of the same number, or is added."""
        kept = tuple(existing for existing in self.lines if existing.did != line.did)
        return replace(self, lines=(*kept, line))


LIVE_HOURS = ServiceWindow(dt.time(8, 0), dt.time(19, 0))
SWITCHBOARD_HOURS = ServiceWindow(dt.time(8, 30), dt.time(17, 15))

YEAR_END = AnnualClosure(
    start_month=12,
    start_day=29,
    end_month=1,
    end_day=3,
    reason="年末年始",
    services=frozenset({Service.SWITCHBOARD}),
)


def default_config() -> CalendarConfig:
    """The hours of 表2-1: live 8:00-19:00 every day, switchboard weekdays 8:30-17:15."""
    live = weekly([LIVE_HOURS])
    switchboard = weekly([SWITCHBOARD_HOURS], WEEKDAYS_MON_FRI)
    return CalendarConfig(
        lines=(
            LineHours(
                did=MAIN_DID,
                name_ja="豊島区役所コールセンター（区代表）",
                live=live,
                switchboard=switchboard,
            ),
            LineHours(
                did=COVID_DID,
                name_ja="新型コロナウイルスに関する区民相談専用ダイヤル",
                live=live,
                switchboard=switchboard,
            ),
            LineHours(
                did=FAX_DID,
                name_ja="FAX受付",
                intake=weekly([ServiceWindow.all_day()]),
                holidays_close_switchboard=False,
            ),
        ),
        annual_closures=(YEAR_END,),
    )
