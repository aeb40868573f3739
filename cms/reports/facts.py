"""The contacts of a period, from the rollups when they cover it, else folded live.

A contact whose events reach past the report's horizon (or before its lookback) is re-folded
from the log inside the same window ``build_report`` reads, so a report from the rollups gives
the same numbers as ``cms.kpi.report.build_report`` for the same period and settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Table, select, type_coerce
from sqlmodel import Session

from cms.kpi.agents import PresenceFold
from cms.kpi.contacts import ContactFacts
from cms.kpi.grouping import Period
from cms.kpi.settings import KpiSettings
from cms.kpi.source import read_rows
from cms.reports.fold import fold_contacts
from cms.reports.models import ContactFactRow, OperatorHourRow
from cms.reports.reader import rows_of_contacts
from cms.reports.rollup import ROLLUP_SETTINGS, rollup_state
from realtime.timeutil import JST, as_utc, utcnow

FACTS: Table = ContactFactRow.__table__  # type: ignore[attr-defined]
HOURS: Table = OperatorHourRow.__table__  # type: ignore[attr-defined]
_FACT_READINGS = ("covid_lines", "fax_lines", "answer_clock")
_TIMES = (
    "received_at",
    "queued_at",
    "answered_at",
    "abandoned_at",
    "ended_at",
    "replied_at",
    "first_event_at",
    "last_event_at",
)
_LISTS = ("transfers_out", "forwarded_to", "violations")


@dataclass
class FactSet:
    """The contacts received in a period (in the reported kinds), with what reports need."""

    period: Period
    horizon: dt.datetime
    provisional: bool
    facts: list[ContactFacts]
    escalated: set[str]
    peaks: dict[dt.datetime, int]
    without_receipt: int
    other: int
    events: int
    agents_seen: int
    source: str
    """``rollup`` or ``live``."""

    @functools.cached_property
    def received_local(self) -> list[dt.datetime]:
        """Each fact's receipt time in Japan time, in the order of ``facts`` (computed once)."""
        return [f.received_at.astimezone(JST) for f in self.facts]


def _same_readings(settings: KpiSettings) -> bool:
    return all(getattr(settings, n) == getattr(ROLLUP_SETTINGS, n) for n in _FACT_READINGS)


_FACT_FIELDS = [f.name for f in dataclasses.fields(ContactFacts)]


def _parse_time(sqlite: bool) -> Any:
    """A converter for one stored timestamp: ISO text on SQLite, datetimes elsewhere."""
    if not sqlite:
        return lambda v: None if v is None else as_utc(v)
    parse, utc = dt.datetime.fromisoformat, dt.UTC

    def convert(value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value[-6] not in "+-":  # naive text, stored as UTC (the common case)
            return parse(value + "+00:00")  # several times faster than .replace(tzinfo=)
        return parse(value).astimezone(utc)

    return convert


def _parse_list(value: Any) -> tuple[str, ...]:
    # Nearly every contact has no transfers, forwards or violations: skip the JSON parser.
    if value is None or value == "[]":
        return ()
    return tuple(json.loads(value))


def _facts_from_rows(
    session: Session, period: Period
) -> tuple[list[ContactFacts], dict[str, tuple[bool, dt.datetime, dt.datetime, int]]]:
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    names = [*_FACT_FIELDS, "escalated", "first_event_at", "last_event_at", "events"]
    cols = []
    for n in names:
        col = FACTS.c[n]
        cols.append(type_coerce(col, String()) if sqlite and n in _TIMES else col)
    stmt = select(*cols).where(
        FACTS.c.received_at >= period.start.astimezone(dt.UTC),
        FACTS.c.received_at < period.end.astimezone(dt.UTC),
    )
    # One converter per column, applied by position (this loop runs for every contact of the
    # period: a year's report reads a quarter of a million rows).
    time_of = _parse_time(sqlite)
    keep: Any = lambda v: v  # noqa: E731
    converters = [time_of if n in _TIMES else _parse_list if n in _LISTS else keep for n in names]
    width = len(_FACT_FIELDS)
    facts: list[ContactFacts] = []
    extras: dict[str, tuple[bool, dt.datetime, dt.datetime, int]] = {}
    for raw in conn.execute(stmt).all():
        values: list[Any] = [convert(v) for convert, v in zip(converters, raw, strict=True)]
        fact = ContactFacts(*values[:width])
        facts.append(fact)
        extras[fact.contact_id] = (
            bool(values[width]),
            values[width + 1],
            values[width + 2],
            int(values[width + 3]),
        )
    return facts, extras


def _peaks(session: Session, period: Period) -> dict[dt.datetime, int]:
    conn = session.connection()
    stmt = select(HOURS.c.hour_start, HOURS.c.peak).where(
        HOURS.c.hour_start >= period.start.astimezone(dt.UTC),
        HOURS.c.hour_start < period.end.astimezone(dt.UTC),
    )
    out: dict[dt.datetime, int] = {}
    hour = period.start.astimezone(JST).replace(minute=0, second=0, microsecond=0)
    while hour < period.end:
        out[hour.astimezone(dt.UTC)] = 0  # closed hours without presence events had no one
        hour += dt.timedelta(hours=1)
    for hour, peak in conn.execute(stmt):
        out[as_utc(hour)] = int(peak)
    return {h.astimezone(JST): p for h, p in out.items()}


def _split(
    facts: Sequence[ContactFacts], lo: dt.datetime, hi: dt.datetime
) -> tuple[list[ContactFacts], int, int]:
    kept: list[ContactFacts] = []
    without = other = 0
    for f in facts:
        if not lo <= f.received_at < hi:
            continue
        if f.receipt_inferred:
            without += 1
        elif f.kind in ("call", "covid", "item"):
            kept.append(f)
        else:
            other += 1
    return kept, without, other


def _live(session: Session, period: Period, settings: KpiSettings, horizon: dt.datetime) -> FactSet:
    rows = list(read_rows(session, start=period.start - settings.lookback, end=horizon))
    result = fold_contacts(rows, settings=settings)
    presence = PresenceFold()
    for row in rows:
        if row.contact_id is None:
            presence.add(row)
    lo, hi = period.start.astimezone(dt.UTC), period.end.astimezone(dt.UTC)
    kept, without, other = _split(result.facts, lo, hi)
    return FactSet(
        period=period,
        horizon=horizon,
        provisional=horizon < period.end + settings.trailing,
        facts=kept,
        escalated={cid for cid, x in result.extras.items() if x.escalated},
        peaks=presence.hourly_peaks(start=period.start, end=period.end),
        without_receipt=without,
        other=other,
        events=sum(x.events for x in result.extras.values()),
        agents_seen=presence.agents_seen(),
        source="live",
    )


def load_facts(
    session: Session,
    *,
    period: Period,
    settings: KpiSettings | None = None,
    now: dt.datetime | None = None,
) -> FactSet:
    """The period's contacts: rollups when they cover the period, else one live pass."""
    s = settings or KpiSettings()
    moment = now or utcnow()
    period.check_ended(now=moment)
    horizon = min(moment, period.end + s.trailing)
    state = rollup_state(session)
    covered = state is not None and state.closed_until is not None
    if not covered or not _same_readings(s) or as_utc(state.closed_until) < period.end:  # type: ignore[union-attr, arg-type]
        return _live(session, period, s, horizon)
    facts, extras = _facts_from_rows(session, period)
    window_start = period.start - s.lookback
    stale = [
        f.contact_id
        for f in facts
        if extras[f.contact_id][2] >= horizon or extras[f.contact_id][1] < window_start
    ]
    escalated = {cid for cid, x in extras.items() if x[0]}
    if stale:
        stale_set = set(stale)
        facts = [f for f in facts if f.contact_id not in stale_set]
        escalated -= stale_set
        for i in range(0, len(stale), 1000):
            chunk = stale[i : i + 1000]
            rows = rows_of_contacts(session, contact_ids=chunk, start=window_start, end=horizon)
            redo = fold_contacts(rows, settings=s)
            facts.extend(redo.facts)
            escalated |= {cid for cid, x in redo.extras.items() if x.escalated}
    lo, hi = period.start.astimezone(dt.UTC), period.end.astimezone(dt.UTC)
    kept, without, other = _split(facts, lo, hi)
    peaks = _peaks(session, period)
    return FactSet(
        period=period,
        horizon=horizon,
        provisional=horizon < period.end + s.trailing,
        facts=kept,
        escalated=escalated,
        peaks=peaks,
        without_receipt=without,
        other=other,
        events=sum(x[3] for x in extras.values()),
        agents_seen=max(peaks.values(), default=0),
        source="rollup",
    )
