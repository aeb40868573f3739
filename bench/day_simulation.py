"""A day at the city's peak volume through the real ACD engine, staffed by Erlang C per half hour.

Shape: the 2021-06-14 (Mon) column of shared/data/hourly_profiles.csv, scaled to 1,242 calls
(the busiest day of April-December 2021). Staffing: Erlang C for 80 % in 15 s at AHT 180 s
(talk 140 s + wrap-up 40 s), no shrinkage (agents on the phones). Patience: exponential, 120 s.
Run: PYTHONPATH=. python bench/day_simulation.py
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from switch.simulation.arrivals import profile_from_hourly
from switch.simulation.model import SimulationParams, StaffingPlan
from switch.simulation.run import simulate_day
from wfm.staffing.requirement import StaffingTarget, required_agents_erlang_c

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "hourly_profiles.csv"
DAY_TOTAL, COLUMN, AHT = 1242.0, "2021-06-14_mon", 180.0


def _clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def main() -> int:
    if not DATA.exists():
        print(f"missing {DATA}", file=sys.stderr)
        return 1
    with DATA.open(encoding="utf-8") as f:
        hourly = {row["hour_start"]: float(row[COLUMN]) for row in csv.DictReader(f)}
    arrivals = profile_from_hourly(hourly=hourly, day_total=DAY_TOTAL)
    target = StaffingTarget(service_level=0.80, answer_within_s=15.0, shrinkage=0.0)
    plan = StaffingPlan(
        tuple(
            max(
                1, required_agents_erlang_c(calls=n, period_s=1800, aht_s=AHT, target=target).agents
            )
            if n > 0
            else 0
            for n in arrivals.expected
        )
    )
    params = SimulationParams(talk_mean_s=140, wrapup_mean_s=40, patience_mean_s=120)
    started = time.perf_counter()
    day = simulate_day(plan=plan, arrivals=arrivals, params=params, seed=1)
    took = time.perf_counter() - started
    print(f"{DAY_TOTAL:,.0f} calls, shape {COLUMN}, AHT {AHT:g} s, patience 120 s, seed 1")
    print(f"simulated in {took:.2f} s\n")
    print("| from | agents | expected | offered | answered | SL 15 s | abandoned | ASA s | occ. |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, r in zip(arrivals.expected, day.intervals, strict=True):
        print(
            f"| {_clock(r.start_s)} | {r.agents} | {i:.1f} | {r.offered} | {r.answered} "
            f"| {r.service_level:.1%} | {r.abandon_rate:.1%} | {r.asa_s:.1f} | {r.occupancy:.1%} |"
        )
    print(
        f"| day | | {DAY_TOTAL:.0f} | {day.offered} | {day.answered} | {day.service_level:.1%} "
        f"| {day.abandon_rate:.1%} | {day.asa_s:.1f} | {day.occupancy:.1%} |"
    )
    runs = [simulate_day(plan=plan, arrivals=arrivals, params=params, seed=s) for s in range(1, 51)]
    mean = [sum(getattr(r, k) for r in runs) / len(runs) for k in ("service_level", "abandon_rate")]
    occupancy = sum(r.occupancy for r in runs) / len(runs)
    print(
        f"\nSeeds 1-50: day SL {mean[0]:.1%} (min {min(r.service_level for r in runs):.1%}), "
        f"abandoned {mean[1]:.1%}, occupancy {occupancy:.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
