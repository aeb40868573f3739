"""Erlang (A, or C without abandonment) and the ACD day simulation side by side."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from switch.simulation.model import ArrivalProfile, SimulationParams, StaffingPlan
from switch.simulation.run import simulate_day
from wfm.staffing.erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics
from wfm.whatif.errors import WhatIfInputInvalid
from wfm.whatif.model import WhatIfBase, WhatIfChange

MAX_SEEDS = 50


@dataclass(frozen=True)
class IntervalOutlook:
    """One interval: calls, agents, Erlang's and the simulation's service level and abandonment."""

    start_min: int
    calls: float
    agents: int
    erlang_service_level: float
    erlang_abandon_rate: float
    sim_service_level: float
    sim_abandon_rate: float
    sim_offered: float


@dataclass(frozen=True)
class Outlook:
    """A scenario's day: per interval and call-weighted day totals (simulation: mean of seeds)."""

    base: WhatIfBase
    intervals: tuple[IntervalOutlook, ...]
    erlang_service_level: float
    erlang_abandon_rate: float
    sim_service_level: float
    sim_abandon_rate: float
    sim_service_level_sd: float
    seeds: int

    @property
    def gap_points(self) -> float:
        """Simulation minus Erlang service level, in percentage points."""
        return (self.sim_service_level - self.erlang_service_level) * 100


@dataclass(frozen=True)
class WhatIfResult:
    """The base and the changed scenario side by side."""

    before: Outlook
    after: Outlook


def _erlang(base: WhatIfBase, calls: float, agents: int) -> QueueMetrics:
    period = base.interval_min * 60.0
    if base.patience_s is None:
        return erlang_c_metrics(
            calls=calls, period_s=period, aht_s=base.aht_s, agents=agents,
            answer_within_s=base.answer_within_s,
        )  # fmt: skip
    return erlang_a_metrics(
        calls=calls, period_s=period, aht_s=base.aht_s, agents=agents,
        answer_within_s=base.answer_within_s, patience_s=base.patience_s,
    )  # fmt: skip


def outlook(*, base: WhatIfBase, seeds: Sequence[int]) -> Outlook:
    """Erlang per interval and ``simulate_day`` (the real ACD engine) for each seed."""
    base.check()
    if not seeds or len(seeds) > MAX_SEEDS:
        raise WhatIfInputInvalid(
            f"シミュレーションの回数は 1〜{MAX_SEEDS} 回です。", field="seeds", value=len(seeds)
        )
    erl = [_erlang(base, c, n) for c, n in zip(base.calls, base.agents, strict=True)]
    arrivals = ArrivalProfile(
        start_s=base.start_min * 60.0, interval_s=base.interval_min * 60.0, expected=base.calls
    )
    params = SimulationParams(
        talk_mean_s=base.aht_s * (1 - base.wrapup_share),
        wrapup_mean_s=base.aht_s * base.wrapup_share,
        patience_mean_s=base.patience_s,
        answer_delay_s=0.0,
        answer_within_s=base.answer_within_s,
    )
    runs = [
        simulate_day(plan=StaffingPlan(base.agents), arrivals=arrivals, params=params, seed=s)
        for s in seeds
    ]
    intervals = []
    for i, (c, n) in enumerate(zip(base.calls, base.agents, strict=True)):
        offered = sum(r.intervals[i].offered for r in runs)
        within = sum(r.intervals[i].answered_within for r in runs)
        abandoned = sum(r.intervals[i].abandoned for r in runs)
        intervals.append(
            IntervalOutlook(
                start_min=base.start_min + i * base.interval_min,
                calls=c,
                agents=n,
                erlang_service_level=erl[i].service_level,
                erlang_abandon_rate=erl[i].p_abandon,
                sim_service_level=within / offered if offered else 1.0,
                sim_abandon_rate=abandoned / offered if offered else 0.0,
                sim_offered=offered / len(runs),
            )
        )
    total = sum(base.calls)
    sls = [r.service_level for r in runs]
    return Outlook(
        base=base,
        intervals=tuple(intervals),
        erlang_service_level=(
            sum(c * m.service_level for c, m in zip(base.calls, erl, strict=True)) / total
            if total
            else 1.0
        ),
        erlang_abandon_rate=(
            sum(c * m.p_abandon for c, m in zip(base.calls, erl, strict=True)) / total
            if total
            else 0.0
        ),
        sim_service_level=statistics.fmean(sls),
        sim_abandon_rate=statistics.fmean(r.abandon_rate for r in runs),
        sim_service_level_sd=statistics.stdev(sls) if len(sls) > 1 else 0.0,
        seeds=len(runs),
    )


def what_if(*, base: WhatIfBase, change: WhatIfChange, seeds: Sequence[int]) -> WhatIfResult:
    """The base day and the changed day, each by Erlang and by simulation."""
    base.check()
    return WhatIfResult(
        before=outlook(base=base, seeds=seeds), after=outlook(base=change.apply(base), seeds=seeds)
    )
