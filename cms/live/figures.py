"""Wallboard figures from contact facts: a span's calls (SLA lines only) and mail/fax due.

The measures are cms.kpi's own (S-P1 service level, S-P2 abandon rate, average speed of answer),
so a half hour on the wallboard gives the same numbers as ``madoguchi kpi report`` for it. The
COVID-19 line is not in any figure here (別紙3 ※: the SLA does not apply to it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cms.kpi import measures as m
from cms.kpi.contacts import ContactFacts
from cms.kpi.measures import KpiValue
from cms.kpi.settings import KpiSettings
from realtime.timeutil import JST

HALF_HOUR = dt.timedelta(minutes=30)


def half_hour_start(moment: dt.datetime) -> dt.datetime:
    """The start of the half hour (Japan time) that holds ``moment``."""
    local = moment.astimezone(JST)
    return local.replace(minute=0 if local.minute < 30 else 30, second=0, microsecond=0)


def day_start(day: dt.date) -> dt.datetime:
    """00:00 JST of ``day``."""
    return dt.datetime.combine(day, dt.time(0), JST)


@dataclass(frozen=True)
class SpanFigures:
    """The calls of one span (today, a half hour), SLA lines only."""

    offered: int
    answered: int
    abandoned: int
    service_level: KpiValue
    abandon_rate: KpiValue
    average_speed_of_answer: KpiValue

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class QueueFigures:
    """One queue's figures from the event log (the queue the contact was last in)."""

    queue: str
    today: SpanFigures
    half_hour: SpanFigures


@dataclass(frozen=True)
class ItemsDue:
    """Mail and fax of the center still unreplied: near and over the 24 h limit (S-M2)."""

    near: int
    over: int
    oldest_received_at: dt.datetime | None


@dataclass(frozen=True)
class LiveFigures:
    """What the wallboard shows from the log, at ``as_of``."""

    day: dt.date
    as_of: dt.datetime
    half_hour_start: dt.datetime
    today: SpanFigures
    half_hour: SpanFigures
    previous_half_hour: SpanFigures | None
    items: ItemsDue
    queues: list[QueueFigures]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (timestamps ISO 8601)."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return data

    def fingerprint(self) -> dict[str, Any]:
        """Everything but ``as_of``: equal fingerprints mean nothing changed on the board."""
        data = self.to_dict()
        data.pop("as_of")
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def span_figures(calls: Sequence[ContactFacts], settings: KpiSettings) -> SpanFigures:
    """The span's calls measured with cms.kpi (calls of the SLA lines only)."""
    return SpanFigures(
        offered=len(m.calls_in_service(calls)),
        answered=sum(1 for f in calls if f.answered),
        abandoned=sum(1 for f in calls if m.abandoned_waiting(f)),
        service_level=m.service_level(calls, settings),
        abandon_rate=m.abandon_rate(calls, settings),
        average_speed_of_answer=m.average_speed_of_answer(calls),
    )


def items_due(
    items: Iterable[ContactFacts], settings: KpiSettings, *, now: dt.datetime, near: dt.timedelta
) -> ItemsDue:
    """Unreplied items of the center at ``now``: older than ``near`` and older than the target."""
    near_n = over_n = 0
    oldest: dt.datetime | None = None
    for f in items:
        if f.replied_at is not None or f.handed_off:
            continue  # answered, or a department's to answer (docs/kpi.md S-M2)
        age = now - f.received_at
        if age >= settings.reply_target:
            over_n += 1
        elif age >= near:
            near_n += 1
        else:
            continue
        oldest = f.received_at if oldest is None else min(oldest, f.received_at)
    return ItemsDue(near=near_n, over=over_n, oldest_received_at=oldest)


def live_figures(
    facts: Iterable[ContactFacts],
    *,
    now: dt.datetime,
    settings: KpiSettings,
    near: dt.timedelta,
    day: dt.date | None = None,
) -> LiveFigures:
    """Today (or ``day``) so far and the half hour of ``now``, from contact facts; pure."""
    today = day or now.astimezone(JST).date()
    start = day_start(today)
    end = start + dt.timedelta(days=1)
    half = half_hour_start(min(now, end - dt.timedelta(microseconds=1)))
    previous = half - HALF_HOUR
    calls_today: list[ContactFacts] = []
    items: list[ContactFacts] = []
    for f in facts:
        if f.receipt_inferred:
            continue
        if f.kind == "item" and f.received_at <= now:
            items.append(f)
        elif f.kind == "call" and start <= f.received_at < end:
            calls_today.append(f)
    in_half = [f for f in calls_today if half <= f.received_at < half + HALF_HOUR]
    in_previous = [f for f in calls_today if previous <= f.received_at < half]
    queues: dict[str, list[ContactFacts]] = {}
    for f in calls_today:
        if f.queue is not None:
            queues.setdefault(f.queue, []).append(f)
    return LiveFigures(
        day=today,
        as_of=now,
        half_hour_start=half,
        today=span_figures(calls_today, settings),
        half_hour=span_figures(in_half, settings),
        previous_half_hour=span_figures(in_previous, settings) if previous >= start else None,
        items=items_due(items, settings, now=now, near=near),
        queues=[
            QueueFigures(
                queue=q,
                today=span_figures(fs, settings),
                half_hour=span_figures(
                    [f for f in fs if half <= f.received_at < half + HALF_HOUR], settings
                ),
            )
            for q, fs in sorted(queues.items())
        ],
    )


def half_hour_rows(
    facts: Iterable[ContactFacts], *, day: dt.date, settings: KpiSettings
) -> list[tuple[dt.datetime, SpanFigures]]:
    """The 48 half hours of ``day`` (Japan time), each with its calls; empty ones too."""
    start = day_start(day)
    buckets: list[list[ContactFacts]] = [[] for _ in range(48)]
    for f in facts:
        if f.kind != "call" or f.receipt_inferred:
            continue
        index = int((f.received_at - start) // HALF_HOUR)
        if 0 <= index < 48:
            buckets[index].append(f)
    return [(start + i * HALF_HOUR, span_figures(b, settings)) for i, b in enumerate(buckets)]
