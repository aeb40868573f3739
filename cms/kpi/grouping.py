"""Report periods and groupings: day, weekday, hour (of receipt, Japan time), line, menu, work
type, section (係), agent, channel, category; any period [start, end)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

from cms.kpi.contacts import ContactFacts
from cms.kpi.errors import InvalidPeriod, PeriodInFuture, UnknownDimension
from realtime.timeutil import JST

Dimension = Literal[
    "period",
    "day",
    "weekday",
    "hour",
    "line",
    "menu",
    "work_type",
    "section",
    "agent",
    "channel",
    "category",
]
KNOWN: tuple[str, ...] = get_args(Dimension)
TIME_DIMENSIONS: frozenset[str] = frozenset({"period", "day", "weekday", "hour"})
WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")
KeyPart = str | int | None
GroupKey = tuple[KeyPart, ...]


@dataclass(frozen=True)
class Period:
    """A half-open span [start, end) of timezone-aware instants."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidPeriod(start=self.start, end=self.end, reason="naive-datetime")
        if self.start >= self.end:
            raise InvalidPeriod(start=self.start, end=self.end, reason="start-not-before-end")

    @classmethod
    def days(cls, first: dt.date, last: dt.date) -> Period:
        """From 00:00 JST of ``first`` to 24:00 JST of ``last`` (both days included)."""
        start = dt.datetime.combine(first, dt.time(0), JST)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), JST)
        return cls(start, end)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """One calendar month in Japan time."""
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls.days(first, following - dt.timedelta(days=1))

    def check_ended(self, *, now: dt.datetime) -> None:
        """Refuse a period that ends after ``now``: part of it has not happened yet."""
        if self.end > now:
            raise PeriodInFuture(end=self.end, now=now)

    def contains(self, moment: dt.datetime) -> bool:
        """``start <= moment < end``."""
        return self.start <= moment < self.end


def parse_dimensions(names: Iterable[str]) -> tuple[Dimension, ...]:
    """Validate grouping names (``day``, ``weekday``...); an empty list means the whole period."""
    dims: list[Dimension] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name not in KNOWN:
            raise UnknownDimension(name=name, known=list(KNOWN))
        if name not in dims:
            dims.append(cast(Dimension, name))
    return tuple(dims) or ("period",)


def _jst(f: ContactFacts) -> dt.datetime:
    return f.received_at.astimezone(JST)


_EXTRACT: dict[str, Callable[[ContactFacts], KeyPart]] = {
    "period": lambda f: "all",
    "day": lambda f: _jst(f).date().isoformat(),
    "weekday": lambda f: WEEKDAYS_JA[_jst(f).weekday()],
    "hour": lambda f: _jst(f).hour,
    "line": lambda f: f.line,
    "menu": lambda f: f.menu,
    "work_type": lambda f: f.work_type,
    "section": lambda f: f.section,
    "agent": lambda f: f.agent,
    "channel": lambda f: f.channel,
    "category": lambda f: f.category,
}


def key_of(f: ContactFacts, dims: Sequence[Dimension]) -> GroupKey:
    """The group a contact belongs to."""
    return tuple(_EXTRACT[d](f) for d in dims)


def hour_key(hour: dt.datetime, dims: Sequence[Dimension]) -> GroupKey | None:
    """The group a JST clock hour belongs to; ``None`` when a dimension is not about time."""
    if any(d not in TIME_DIMENSIONS for d in dims):
        return None
    local = hour.astimezone(JST)
    parts: list[KeyPart] = []
    for d in dims:
        if d == "period":
            parts.append("all")
        elif d == "day":
            parts.append(local.date().isoformat())
        elif d == "weekday":
            parts.append(WEEKDAYS_JA[local.weekday()])
        else:
            parts.append(local.hour)
    return tuple(parts)


def group(
    facts: Iterable[ContactFacts], dims: Sequence[Dimension]
) -> dict[GroupKey, list[ContactFacts]]:
    """Partition contacts by their key; every contact is in exactly one group."""
    groups: dict[GroupKey, list[ContactFacts]] = {}
    for f in facts:
        groups.setdefault(key_of(f, dims), []).append(f)
    return groups


def sort_key(key: GroupKey, dims: Sequence[Dimension]) -> tuple[tuple[int, str], ...]:
    """Order groups: weekdays Monday first, hours numerically, missing values last."""
    out: list[tuple[int, str]] = []
    for d, part in zip(dims, key, strict=True):
        if part is None:
            out.append((2, ""))
        elif d == "weekday":
            out.append((0, str(WEEKDAYS_JA.index(str(part)))))
        elif isinstance(part, int):
            out.append((0, f"{part:04d}"))
        else:
            out.append((1, part))
    return tuple(out)
