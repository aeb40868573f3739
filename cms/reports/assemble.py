"""Measure a :class:`FactSet` with cms.kpi's measures: any grouping, a month per row, a total.

The per-group KPIs are cms.kpi.report's own (``_group_report``), so every figure here is the
figure ``madoguchi kpi report`` gives for the same contacts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cms.kpi import measures as m
from cms.kpi.contacts import ContactFacts
from cms.kpi.grouping import Dimension, KeyPart, group, sort_key
from cms.kpi.report import Diagnostics, GroupReport, KpiReport
from cms.kpi.report import _group_report as group_report
from cms.kpi.report import _not_applicable as not_applicable
from cms.kpi.report import _operators as operators_by_key
from cms.kpi.settings import KpiSettings
from cms.reports.facts import FactSet
from realtime.timeutil import JST


@dataclass(frozen=True)
class Row:
    """One group's KPIs plus the report's own counts (escalations)."""

    label: str
    kpis: GroupReport
    escalations: int


def kpi_report(fs: FactSet, *, dimensions: Sequence[Dimension], settings: KpiSettings) -> KpiReport:
    """The same :class:`KpiReport` that cms.kpi.report.compute_report makes, from facts."""
    dims = tuple(dimensions) or ("period",)
    by_hour = operators_by_key(fs.peaks, dims)
    groups = group(fs.facts, dims)
    time_only = all(d in ("period", "day", "weekday", "hour") for d in dims)
    keys = sorted(set(groups) | set(by_hour), key=lambda k: sort_key(k, dims))
    reports = []
    for key in keys:
        ops = m.count(by_hour.get(key, 0)) if time_only else not_applicable()
        named: dict[str, KeyPart] = dict(zip(dims, key, strict=True))
        reports.append(group_report(named, groups.get(key, []), ops, settings, fs.horizon))
    total_ops = m.count(max(fs.peaks.values(), default=0))
    total = group_report({"period": "all"}, fs.facts, total_ops, settings, fs.horizon)
    return KpiReport(
        start=fs.period.start,
        end=fs.period.end,
        horizon=fs.horizon,
        provisional=fs.provisional,
        dimensions=dims,
        groups=reports,
        total=total,
        diagnostics=Diagnostics(
            events_read=fs.events,
            contacts_in_period=len(fs.facts),
            contacts_without_receipt=fs.without_receipt,
            other_contacts=fs.other,
            agents_seen=fs.agents_seen,
        ),
    )


def _escalations(fs: FactSet, facts: Sequence[ContactFacts]) -> int:
    return sum(1 for f in facts if f.contact_id in fs.escalated and f.kind != "covid")


def rows_by(
    fs: FactSet,
    *,
    labels: Sequence[str],
    label_of: Callable[[dt.datetime], str],
    settings: KpiSettings,
) -> list[Row]:
    """One row per label (every label listed, empty ones too), keyed by the receipt time (JST)."""
    buckets: dict[str, list[ContactFacts]] = {label: [] for label in labels}
    for f, local in zip(fs.facts, fs.received_local, strict=True):
        buckets.setdefault(label_of(local), []).append(f)
    peaks: dict[str, int] = {}
    for hour, peak in fs.peaks.items():
        key = label_of(hour.astimezone(JST))
        peaks[key] = max(peaks.get(key, 0), peak)
    return [
        Row(
            label,
            group_report(
                {"label": label}, facts, m.count(peaks.get(label, 0)), settings, fs.horizon
            ),
            _escalations(fs, facts),
        )
        for label, facts in buckets.items()
    ]


def total_row(fs: FactSet, *, label: str, settings: KpiSettings) -> Row:
    """The whole period as one row."""
    ops = m.count(max(fs.peaks.values(), default=0))
    return Row(
        label,
        group_report({"period": "all"}, fs.facts, ops, settings, fs.horizon),
        _escalations(fs, fs.facts),
    )


def rows_by_dimension(fs: FactSet, *, dimension: Dimension, settings: KpiSettings) -> list[Row]:
    """One row per value of a cms.kpi grouping (work type, section...), ``None`` last."""
    dims: tuple[Dimension, ...] = (dimension,)
    groups = group(fs.facts, dims)
    rows = []
    for key in sorted(groups, key=lambda k: sort_key(k, dims)):
        label = "(未設定)" if key[0] is None else str(key[0])
        rows.append(
            Row(
                label,
                group_report(
                    {dimension: key[0]}, groups[key], not_applicable(), settings, fs.horizon
                ),
                _escalations(fs, groups[key]),
            )
        )
    return rows
