"""Staffing table per interval: forecast calls and AHT in, agents and predicted service out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from wfm.staffing.requirement import (
    StaffingResult,
    StaffingTarget,
    required_agents_erlang_a,
    required_agents_erlang_c,
)


@dataclass(frozen=True)
class Interval:
    """One interval to staff: its label (e.g. '09:30'), forecast calls and handling time."""

    label: str
    calls: float
    aht_s: float


@dataclass(frozen=True)
class StaffingRow:
    """Requirement by Erlang C and (with a patience) Erlang A; ``scheduled`` uses the latter."""

    label: str
    calls: float
    aht_s: float
    erlang_c: StaffingResult
    erlang_a: StaffingResult | None

    @property
    def plan(self) -> StaffingResult:
        """The requirement staffing follows: Erlang A when patience is known, else Erlang C."""
        return self.erlang_a or self.erlang_c

    @property
    def scheduled(self) -> int:
        """Staff to schedule (agents on the phones grossed up for shrinkage)."""
        return self.plan.scheduled


def staffing_table(
    *,
    intervals: Sequence[Interval],
    target: StaffingTarget,
    period_s: float = 1800.0,
    patience_s: float | None = None,
) -> list[StaffingRow]:
    """Required agents, predicted SL / ASA / abandonment / occupancy and staff per interval."""
    target.check()
    rows: list[StaffingRow] = []
    for interval in intervals:
        c = required_agents_erlang_c(
            calls=interval.calls, period_s=period_s, aht_s=interval.aht_s, target=target
        )
        a = (
            required_agents_erlang_a(
                calls=interval.calls,
                period_s=period_s,
                aht_s=interval.aht_s,
                patience_s=patience_s,
                target=target,
            )
            if patience_s is not None
            else None
        )
        rows.append(StaffingRow(interval.label, interval.calls, interval.aht_s, c, a))
    return rows


def _pct(value: float) -> str:
    return f"{value * 100:5.1f}%"


def _secs(value: float) -> str:
    return f"{value:6.1f}" if math.isfinite(value) else "     -"


def format_staffing_table(rows: Sequence[StaffingRow]) -> str:
    """A fixed-width text table (Japanese headings) of a staffing table."""
    head = (
        "時間帯   呼数   AHT秒 | C必要 C応答率 C-ASA秒 | A必要 A応答率 A-ASA秒 放棄率 稼働率 | 配置"
    )
    lines = [head]
    for row in rows:
        c = row.erlang_c.metrics
        text = (
            f"{row.label:6} {row.calls:6.1f} {row.aht_s:6.0f} | {row.erlang_c.agents:5d} "
            f"{_pct(c.service_level)} {_secs(c.asa_s)} | "
        )
        if row.erlang_a is not None:
            a = row.erlang_a.metrics
            text += (
                f"{row.erlang_a.agents:5d} {_pct(a.service_level)} {_secs(a.asa_s)} "
                f"{_pct(a.p_abandon)} "
            )
        else:
            text += "    -       -       -      - "
        text += f"{_pct(row.plan.metrics.occupancy)} | {row.scheduled:4d}"
        lines.append(text)
    total = sum(r.calls for r in rows)
    lines.append(
        f"合計呼数 {total:.1f}  配置人数の最大 {max((r.scheduled for r in rows), default=0)}"
    )
    return "\n".join(lines)
