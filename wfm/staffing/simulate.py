"""Discrete-event simulation of one interval's queue (M/M/N+M, FCFS) to check the formulas.

Customers are processed in arrival order against a heap of the times the agents become free:
a caller is answered by the first free agent if that happens before their patience runs out,
otherwise they abandon and leave the agents untouched. This is exact for FCFS with abandonment.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class SimulationResult:
    """Fractions of offered calls, and the mean wait of answered calls."""

    calls: int
    answered_within: float
    abandoned: float
    abandoned_within: float
    asa_s: float


def simulate_queue(
    *,
    calls_per_hour: float,
    aht_s: float,
    agents: int,
    patience_s: float,
    answer_within_s: float,
    calls: int,
    seed: int,
    warmup: int = 1000,
) -> SimulationResult:
    """Simulate ``calls`` Poisson arrivals (after ``warmup``) with exponential service/patience."""
    rng = random.Random(seed)  # noqa: S311 - a seeded model of callers, not security
    lam = calls_per_hour / 3600.0
    free = [0.0] * max(1, agents)
    now = 0.0
    within = abandoned = abandoned_within = answered = 0
    wait_total = 0.0
    for i in range(warmup + calls):
        now += rng.expovariate(lam)
        patience = rng.expovariate(1.0 / patience_s)
        start = max(now, free[0]) if agents > 0 else float("inf")
        wait = start - now
        counted = i >= warmup
        if wait <= patience:
            heapq.heapreplace(free, start + rng.expovariate(1.0 / aht_s))
            if counted:
                answered += 1
                wait_total += wait
                within += wait <= answer_within_s
        elif counted:
            abandoned += 1
            abandoned_within += patience <= answer_within_s
    return SimulationResult(
        calls=calls,
        answered_within=within / calls,
        abandoned=abandoned / calls,
        abandoned_within=abandoned_within / calls,
        asa_s=wait_total / answered if answered else float("inf"),
    )
