"""Agents required for a service target (Erlang C or Erlang A), and staff to schedule."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from wfm.staffing.erlang import (
    AbandonedCounting,
    QueueMetrics,
    erlang_a_metrics,
    erlang_c_metrics,
)
from wfm.staffing.errors import StaffingInputInvalid, StaffingTargetImpossible

_EPS = 1e-12


@dataclass(frozen=True)
class StaffingTarget:
    """The city's targets: S-P1 (80 % within 15 s), S-P2 (abandonment < 10 %), plus limits."""

    service_level: float = 0.80
    answer_within_s: float = 15.0
    max_occupancy: float = 0.85
    max_abandon_rate: float | None = 0.10
    shrinkage: float = 0.30
    abandoned_counting: AbandonedCounting = AbandonedCounting.OFFERED
    max_agents: int = 10_000

    def check(self) -> None:
        """Raise a typed error naming the first part of the target that is wrong."""
        _fraction("service_level", self.service_level)
        if self.service_level >= 1.0:
            raise StaffingTargetImpossible(
                "サービスレベル 100% は待ちが確率的に発生するため、何人配置しても達成できません。"
                "100% 未満の目標を指定してください。",
                field="service_level",
                value=self.service_level,
            )
        if self.service_level <= 0.0:
            raise StaffingInputInvalid(
                "サービスレベル目標は 0 より大きく 1 未満の割合で指定してください。",
                field="service_level",
                value=self.service_level,
            )
        if not math.isfinite(self.answer_within_s) or self.answer_within_s < 0:
            raise StaffingInputInvalid(
                "目標応答時間(秒)は 0 以上で指定してください。",
                field="answer_within_s",
                value=self.answer_within_s,
            )
        _fraction("max_occupancy", self.max_occupancy)
        if self.max_occupancy <= 0.0:
            raise StaffingTargetImpossible(
                "最大稼働率が 0% 以下では、電話を受けることができません。",
                field="max_occupancy",
                value=self.max_occupancy,
            )
        if self.max_abandon_rate is not None:
            _fraction("max_abandon_rate", self.max_abandon_rate)
            if self.max_abandon_rate <= 0.0:
                raise StaffingTargetImpossible(
                    "放棄率 0% は待ち許容時間が有限である限り、何人配置しても達成できません。",
                    field="max_abandon_rate",
                    value=self.max_abandon_rate,
                )
        _fraction("shrinkage", self.shrinkage)
        if self.shrinkage >= 1.0:
            raise StaffingTargetImpossible(
                "シュリンケージが 100% 以上では、勤務者が電話対応に就く時間がありません。",
                field="shrinkage",
                value=self.shrinkage,
            )
        if self.max_agents < 1:
            raise StaffingInputInvalid(
                "最大人数は 1 以上で指定してください。", field="max_agents", value=self.max_agents
            )


def _fraction(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0.0 or value > 1.0:
        raise StaffingInputInvalid(
            f"{name} は 0〜1 の割合で指定してください(例: 80% は 0.8)。",
            field=name,
            value=value,
        )


@dataclass(frozen=True)
class StaffingResult:
    """Agents needed on the phones, staff to schedule, and the predicted performance."""

    model: str
    agents: int
    scheduled: int
    metrics: QueueMetrics
    binding: tuple[str, ...]


def scheduled_staff(*, agents: int, shrinkage: float) -> int:
    """Staff to schedule so that ``agents`` remain after shrinkage: ceil(N / (1 - s))."""
    _fraction("shrinkage", shrinkage)
    if shrinkage >= 1.0:
        raise StaffingTargetImpossible(
            "シュリンケージが 100% 以上では、勤務者が電話対応に就く時間がありません。",
            field="shrinkage",
            value=shrinkage,
        )
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)


def _failures(metrics: QueueMetrics, target: StaffingTarget, model: str) -> tuple[str, ...]:
    failed: list[str] = []
    if not metrics.stable or metrics.service_level < target.service_level - _EPS:
        failed.append("service_level")
    if metrics.occupancy > target.max_occupancy + _EPS:
        failed.append("occupancy")
    if (
        model == "erlang_a"
        and target.max_abandon_rate is not None
        and metrics.p_abandon > target.max_abandon_rate + _EPS
    ):
        failed.append("abandonment")
    return tuple(failed)


def _search(
    evaluate: Callable[[int], QueueMetrics], target: StaffingTarget, model: str, low: int
) -> StaffingResult:
    cache: dict[int, QueueMetrics] = {}

    def metrics(n: int) -> QueueMetrics:
        if n not in cache:
            cache[n] = evaluate(n)
        return cache[n]

    def meets(n: int) -> bool:
        return not _failures(metrics(n), target, model)

    low = max(1, min(low, target.max_agents))
    high = low
    while not meets(high):
        if high >= target.max_agents:
            failed = _failures(metrics(high), target, model)
            raise StaffingTargetImpossible(
                f"{target.max_agents} 人を配置しても目標({_describe(failed)})を満たしません。"
                "目標値または入力値を見直してください。",
                model=model,
                max_agents=target.max_agents,
                failed=list(failed),
            )
        low = high + 1
        high = min(target.max_agents, high * 2)
    while low < high:
        mid = (low + high) // 2
        if meets(mid):
            high = mid
        else:
            low = mid + 1
    agents = high
    while agents > 1 and meets(agents - 1):
        agents -= 1
    binding = _failures(metrics(agents - 1), target, model) if agents > 1 else ()
    return StaffingResult(
        model=model,
        agents=agents,
        scheduled=scheduled_staff(agents=agents, shrinkage=target.shrinkage),
        metrics=metrics(agents),
        binding=binding,
    )


def _describe(failed: tuple[str, ...]) -> str:
    names = {"service_level": "サービスレベル", "occupancy": "稼働率", "abandonment": "放棄率"}
    return "・".join(names[f] for f in failed) or "サービスレベル"


def required_agents_erlang_c(
    *, calls: float, period_s: float, aht_s: float, target: StaffingTarget
) -> StaffingResult:
    """Smallest agent count meeting the service level and occupancy limit under Erlang C."""
    target.check()

    def evaluate(n: int) -> QueueMetrics:
        return erlang_c_metrics(
            calls=calls,
            period_s=period_s,
            aht_s=aht_s,
            agents=n,
            answer_within_s=target.answer_within_s,
            counting=target.abandoned_counting,
        )

    if calls == 0 or evaluate(0).offered_load == 0:
        return StaffingResult("erlang_c", 0, 0, evaluate(0), ())
    load = calls * aht_s / period_s
    low = max(math.floor(load) + 1, math.ceil(load / target.max_occupancy - 1e-9))
    return _search(evaluate, target, "erlang_c", low)


def required_agents_erlang_a(
    *, calls: float, period_s: float, aht_s: float, patience_s: float, target: StaffingTarget
) -> StaffingResult:
    """Smallest agent count meeting service level, occupancy and abandonment under Erlang A."""
    target.check()

    def evaluate(n: int) -> QueueMetrics:
        return erlang_a_metrics(
            calls=calls,
            period_s=period_s,
            aht_s=aht_s,
            agents=n,
            answer_within_s=target.answer_within_s,
            patience_s=patience_s,
            counting=target.abandoned_counting,
        )

    if calls == 0 or evaluate(0).offered_load == 0:
        return StaffingResult("erlang_a", 0, 0, evaluate(0), ())
    return _search(evaluate, target, "erlang_a", 1)
