"""Build a KPI report for any period and grouping from the contact event log (F-2.4.2, R-ITEMS).

One pass over the log: events from ``start - lookback`` to the horizon are folded into contact
records and agent presence; contacts RECEIVED in [start, end) are grouped and measured. The
horizon is ``min(now, end + trailing)``, so a call that starts before midnight on the last day
and ends after it is complete, and late replies to mail are seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from cms.kpi import measures as m
from cms.kpi.agents import PresenceFold
from cms.kpi.contacts import ContactFacts, ContactFold
from cms.kpi.grouping import (
    Dimension,
    GroupKey,
    KeyPart,
    Period,
    group,
    hour_key,
    sort_key,
)
from cms.kpi.measures import KpiValue
from cms.kpi.settings import KpiSettings
from cms.kpi.source import EventRow, read_rows
from realtime.timeutil import utcnow

NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class PhoneKpis:
    """Calls on the lines under the SLA (別紙3 電話, 別紙4 電話)."""

    calls_received: KpiValue
    calls_in_service: KpiValue
    calls_answered: KpiValue
    calls_abandoned: KpiValue
    service_level: KpiValue
    abandon_rate: KpiValue
    violation_rate: KpiValue
    first_contact_resolution: KpiValue
    average_handling_time: KpiValue
    average_talk_time: KpiValue
    average_hold_time: KpiValue
    average_speed_of_answer: KpiValue
    transfers_by_switchboard: KpiValue
    transfers_to_staff: KpiValue
    callbacks_requested: KpiValue
    open_calls: KpiValue
    resolution_unrecorded: KpiValue
    callbacks_reached: KpiValue
    callbacks_unreached: KpiValue
    survey_answers: KpiValue
    survey_average: KpiValue


@dataclass(frozen=True)
class CovidKpis:
    """The COVID-19 line: only received, answered and abandon rate; the SLA does not apply."""

    calls_received: KpiValue
    calls_answered: KpiValue
    calls_abandoned: KpiValue
    abandon_rate: KpiValue


@dataclass(frozen=True)
class ItemKpis:
    """E-mail and fax (別紙3 Eメール・FAX)."""

    items_received: KpiValue
    emails_received: KpiValue
    faxes_received: KpiValue
    items_replied: KpiValue
    on_time_reply_rate: KpiValue
    unprocessed_beyond_target: KpiValue
    pending_within_target: KpiValue
    violation_rate: KpiValue
    first_contact_resolution: KpiValue
    processing_time: KpiValue
    started_within_target: KpiValue
    transfers_to_staff: KpiValue


@dataclass(frozen=True)
class GroupReport:
    """The KPIs of one group (or of the whole period)."""

    key: dict[str, KeyPart]
    phone: PhoneKpis
    covid: CovidKpis
    items: ItemKpis
    total_inquiries: KpiValue
    operators_deployed: KpiValue


@dataclass(frozen=True)
class Diagnostics:
    """What the report saw, so a reader can tell an empty month from a broken feed."""

    events_read: int
    contacts_in_period: int
    contacts_without_receipt: int
    other_contacts: int
    agents_seen: int


@dataclass(frozen=True)
class KpiReport:
    """A report: its period, how far events were read, the groups and the total."""

    start: dt.datetime
    end: dt.datetime
    horizon: dt.datetime
    provisional: bool
    dimensions: tuple[Dimension, ...]
    groups: list[GroupReport]
    total: GroupReport
    diagnostics: Diagnostics

    @property
    def has_data(self) -> bool:
        """Whether any contact was received in the period."""
        return self.diagnostics.contacts_in_period > 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO 8601)."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _phone(facts: Sequence[ContactFacts], s: KpiSettings) -> PhoneKpis:
    answered = [f for f in facts if f.answered]
    return PhoneKpis(
        calls_received=m.count(len(facts)),
        calls_in_service=m.count(len(m.calls_in_service(facts))),
        calls_answered=m.count(len(answered)),
        calls_abandoned=m.count(sum(1 for f in facts if m.abandoned_waiting(f))),
        service_level=m.service_level(facts, s),
        abandon_rate=m.abandon_rate(facts, s),
        violation_rate=m.violation_rate(facts),
        first_contact_resolution=m.first_contact_resolution(facts, s),
        average_handling_time=m.average_handling_time(facts, s),
        average_talk_time=m.average_talk_time(facts, s),
        average_hold_time=m.average_hold_time(facts),
        average_speed_of_answer=m.average_speed_of_answer(facts),
        transfers_by_switchboard=m.transfers_by_switchboard(facts),
        transfers_to_staff=m.transfers_to_staff(facts),
        callbacks_requested=m.count(sum(1 for f in facts if f.callback_requested)),
        open_calls=m.open_calls(facts),
        resolution_unrecorded=m.count(
            sum(1 for f in answered if f.resolution is None and not f.handed_off)
        ),
        callbacks_reached=m.count(sum(1 for f in facts if f.callback_reached is True)),
        callbacks_unreached=m.count(sum(1 for f in facts if f.callback_reached is False)),
        survey_answers=m.count(sum(1 for f in facts if f.survey_score is not None)),
        survey_average=m.survey_average(facts),
    )


def _covid(facts: Sequence[ContactFacts], s: KpiSettings) -> CovidKpis:
    rate = m.abandon_rate(facts, s)
    return CovidKpis(
        calls_received=m.count(len(facts)),
        calls_answered=m.count(sum(1 for f in facts if f.answered)),
        calls_abandoned=m.count(sum(1 for f in facts if m.abandoned_waiting(f))),
        abandon_rate=dataclasses.replace(rate, target=None, met=None),
    )


def _items(facts: Sequence[ContactFacts], s: KpiSettings, horizon: dt.datetime) -> ItemKpis:
    return ItemKpis(
        items_received=m.count(len(facts)),
        emails_received=m.count(sum(1 for f in facts if f.channel == "email")),
        faxes_received=m.count(sum(1 for f in facts if f.channel != "email")),
        items_replied=m.count(sum(1 for f in facts if f.replied_at is not None)),
        on_time_reply_rate=m.on_time_reply_rate(facts, s),
        unprocessed_beyond_target=m.unprocessed_beyond_target(facts, s, horizon=horizon),
        pending_within_target=m.pending_items(facts, s, horizon=horizon),
        violation_rate=m.violation_rate(facts, items=True),
        first_contact_resolution=m.first_contact_resolution(facts, s, items=True),
        processing_time=m.item_processing_time(facts, s),
        started_within_target=m.items_started_in_time(facts, s),
        transfers_to_staff=m.transfers_to_staff(facts),
    )


def _group_report(
    key: dict[str, KeyPart],
    facts: Sequence[ContactFacts],
    operators: KpiValue,
    s: KpiSettings,
    horizon: dt.datetime,
) -> GroupReport:
    calls = [f for f in facts if f.kind == "call"]
    covid = [f for f in facts if f.kind == "covid"]
    items = [f for f in facts if f.kind == "item"]
    return GroupReport(
        key=key,
        phone=_phone(calls, s),
        covid=_covid(covid, s),
        items=_items(items, s, horizon),
        total_inquiries=m.count(len(calls) + len(covid) + len(items)),
        operators_deployed=operators,
    )


def _operators(peaks: dict[dt.datetime, int], dims: Sequence[Dimension]) -> dict[GroupKey, int]:
    out: dict[GroupKey, int] = {}
    for hour, peak in peaks.items():
        key = hour_key(hour, dims)
        if key is not None:
            out[key] = max(out.get(key, 0), peak)
    return out


def compute_report(
    rows: Iterable[EventRow],
    *,
    period: Period,
    dimensions: Sequence[Dimension],
    settings: KpiSettings,
    horizon: dt.datetime,
) -> KpiReport:
    """Fold ``rows`` (any order, repeats allowed) and measure every group; pure."""
    fold = ContactFold()
    presence = PresenceFold()
    for row in rows:
        if row.contact_id is None:
            presence.add(row)
        else:
            fold.add(row)
    dims = tuple(dimensions) or ("period",)
    kept: list[ContactFacts] = []
    without_receipt = other = 0
    lo, hi = period.start.astimezone(dt.UTC), period.end.astimezone(dt.UTC)
    for f in fold.facts(settings=settings):
        if not lo <= f.received_at < hi:
            continue
        if f.receipt_inferred:
            without_receipt += 1
        elif f.kind in ("call", "covid", "item"):
            kept.append(f)
        else:
            other += 1
    peaks = presence.hourly_peaks(start=period.start, end=period.end)
    by_hour = _operators(peaks, dims)
    groups = group(kept, dims)
    time_only = all(d in ("period", "day", "weekday", "hour") for d in dims)
    keys = sorted(set(groups) | set(by_hour), key=lambda k: sort_key(k, dims))
    reports = []
    for key in keys:
        ops = m.count(by_hour.get(key, 0)) if time_only else _not_applicable()
        named: dict[str, KeyPart] = dict(zip(dims, key, strict=True))
        reports.append(_group_report(named, groups.get(key, []), ops, settings, horizon))
    total_ops = m.count(max(peaks.values(), default=0))
    total = _group_report({"period": "all"}, kept, total_ops, settings, horizon)
    return KpiReport(
        start=period.start,
        end=period.end,
        horizon=horizon,
        provisional=horizon < period.end + settings.trailing,
        dimensions=dims,
        groups=reports,
        total=total,
        diagnostics=Diagnostics(
            events_read=fold.events,
            contacts_in_period=len(kept),
            contacts_without_receipt=without_receipt,
            other_contacts=other,
            agents_seen=presence.agents_seen(),
        ),
    )


def _not_applicable() -> KpiValue:
    return KpiValue("count", 0.0, None, None, NOT_APPLICABLE)


def build_report(
    session: Session,
    *,
    period: Period,
    dimensions: Sequence[Dimension] = ("period",),
    settings: KpiSettings | None = None,
    now: dt.datetime | None = None,
) -> KpiReport:
    """Read the log and report the KPIs of ``period`` grouped by ``dimensions``."""
    s = settings or KpiSettings()
    moment = now or utcnow()
    period.check_ended(now=moment)
    horizon = min(moment, period.end + s.trailing)
    rows = read_rows(session, start=period.start - s.lookback, end=horizon)
    return compute_report(rows, period=period, dimensions=dimensions, settings=s, horizon=horizon)
