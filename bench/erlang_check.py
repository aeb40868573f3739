"""The city's peak hour staffed by Erlang C and Erlang A, and Erlang A against simulation.

Run: PYTHONPATH=. python bench/erlang_check.py
"""

from __future__ import annotations

import time

from wfm.staffing.erlang import erlang_a_metrics
from wfm.staffing.requirement import (
    StaffingTarget,
    required_agents_erlang_a,
    required_agents_erlang_c,
)
from wfm.staffing.simulate import simulate_queue

CALLS, AHT, WITHIN = 170.0, 180.0, 15.0
PATIENCES = (30.0, 60.0, 120.0, 300.0, 900.0)


def main() -> None:
    target = StaffingTarget(service_level=0.80, answer_within_s=WITHIN)
    print(f"Peak hour: {CALLS:g} calls/h, AHT {AHT:g} s, 80 % within {WITHIN:g} s, ")
    print("max occupancy 85 %, abandonment <= 10 % (Erlang A), shrinkage 30 %\n")
    c = required_agents_erlang_c(calls=CALLS, period_s=3600, aht_s=AHT, target=target)
    m = c.metrics
    print("| model | agents | scheduled | SL | ASA s | abandon | occupancy |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| Erlang C | {c.agents} | {c.scheduled} | {m.service_level:.1%} | {m.asa_s:.1f} "
        f"| - | {m.occupancy:.1%} |"
    )
    for patience in PATIENCES:
        a = required_agents_erlang_a(
            calls=CALLS, period_s=3600, aht_s=AHT, patience_s=patience, target=target
        )
        m = a.metrics
        print(
            f"| Erlang A, patience {patience:g} s | {a.agents} | {a.scheduled} "
            f"| {m.service_level:.1%} | {m.asa_s:.1f} | {m.p_abandon:.1%} | {m.occupancy:.1%} |"
        )
    print("\nErlang A vs simulation (400,000 calls each, seed 1):\n")
    print(
        "| agents | patience s | P(ab) formula | P(ab) sim | SL formula | SL sim | ASA f | ASA s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for agents, patience in ((9, 60.0), (10, 120.0), (11, 300.0), (12, 900.0)):
        f = erlang_a_metrics(
            calls=CALLS, period_s=3600, aht_s=AHT, agents=agents, answer_within_s=WITHIN,
            patience_s=patience,
        )  # fmt: skip
        started = time.perf_counter()
        s = simulate_queue(
            calls_per_hour=CALLS, aht_s=AHT, agents=agents, patience_s=patience,
            answer_within_s=WITHIN, calls=400_000, seed=1,
        )  # fmt: skip
        took = time.perf_counter() - started
        print(
            f"| {agents} | {patience:g} | {f.p_abandon:.2%} | {s.abandoned:.2%} "
            f"| {f.answered_within:.2%} | {s.answered_within:.2%} | {f.asa_s:.1f} "
            f"| {s.asa_s:.1f} |  ({took:.1f} s)"
        )
    started = time.perf_counter()
    big = required_agents_erlang_a(
        calls=3000, period_s=1800, aht_s=AHT, patience_s=120.0, target=target
    )
    took = time.perf_counter() - started
    print(f"\nLarge interval: 3,000 calls / 30 min -> Erlang A {big.agents} agents ({took:.2f} s)")


if __name__ == "__main__":
    main()
