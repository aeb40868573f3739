"""The day simulation against queueing theory, and its handling of the city's daily shape."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from switch.simulation.arrivals import profile_from_hourly
from switch.simulation.errors import InvalidSimulationInput
from switch.simulation.model import ArrivalProfile, SimulationParams, StaffingPlan
from switch.simulation.run import simulate_day

SHARED = Path(__file__).resolve().parents[3] / "shared"
MM_N = SimulationParams(talk_mean_s=180, wrapup_mean_s=0, patience_mean_s=None, answer_delay_s=0)


def erlang_c(*, calls_per_s: float, aht_s: float, agents: int, within_s: float):
    """(service level, ASA) of M/M/N, written out from the textbook formula."""
    load = calls_per_s * aht_s
    head = sum(load**k / math.factorial(k) for k in range(agents))
    tail = load**agents / math.factorial(agents) * agents / (agents - load)
    wait_p = tail / (head + tail)
    level = 1 - wait_p * math.exp(-(agents - load) * within_s / aht_s)
    return level, wait_p * aht_s / (agents - load)


@pytest.mark.req("F-2.3.3", "F-1.3.1")
def test_long_steady_run_matches_erlang_c_service_level_asa_and_occupancy():
    intervals = 150
    arrivals = ArrivalProfile(start_s=0, interval_s=1800, expected=(85.0,) * intervals)
    plan = StaffingPlan((11,) * intervals)
    within = offered = answered = 0
    wait_sum = busy = 0.0
    for seed in (1, 2, 3):
        day = simulate_day(plan=plan, arrivals=arrivals, params=MM_N, seed=seed)
        steady = day.intervals[2:]
        within += sum(i.answered_within for i in steady)
        offered += sum(i.offered for i in steady)
        answered += sum(i.answered for i in steady)
        wait_sum += sum(i.asa_s * i.answered for i in steady)
        busy += sum(i.occupancy for i in steady) / len(steady)
    level, asa = erlang_c(calls_per_s=85 / 1800, aht_s=180, agents=11, within_s=15)
    assert within / offered == pytest.approx(level, abs=0.025)
    assert wait_sum / answered == pytest.approx(asa, rel=0.15)
    assert busy / 3 == pytest.approx(85 / 1800 * 180 / 11, abs=0.02)


@pytest.mark.req("F-2.3.3")
def test_more_agents_give_better_service_and_impatient_callers_abandon():
    arrivals = ArrivalProfile(start_s=8 * 3600, interval_s=1800, expected=(80.0,) * 6)
    params = SimulationParams(patience_mean_s=60)
    results = [
        simulate_day(plan=StaffingPlan((n,) * 6), arrivals=arrivals, params=params, seed=7)
        for n in (7, 9, 12)
    ]
    levels = [r.service_level for r in results]
    abandons = [r.abandon_rate for r in results]
    assert levels == sorted(levels)
    assert abandons == sorted(abandons, reverse=True)
    assert abandons[0] > 0.05
    for r in results:
        assert r.offered == r.answered + r.abandoned
        assert all(0 <= i.occupancy <= 1 for i in r.intervals)


@pytest.mark.req("F-2.3.3")
def test_same_seed_same_day_and_staffing_changes_lose_no_call():
    arrivals = ArrivalProfile(start_s=0, interval_s=1800, expected=(60, 120, 20, 90))
    plan = StaffingPlan((4, 9, 1, 6))
    params = SimulationParams(patience_mean_s=None, no_answer_probability=0.1)
    first = simulate_day(plan=plan, arrivals=arrivals, params=params, seed=3)
    again = simulate_day(plan=plan, arrivals=arrivals, params=params, seed=3)
    assert first == again
    assert first.offered == first.answered
    assert [i.agents for i in first.intervals] == [4, 9, 1, 6]
    assert first.intervals[2].asa_s > first.intervals[1].asa_s


@pytest.mark.req("F-2.3.3")
def test_hourly_shape_is_split_into_half_hours_and_scaled_to_the_day_total():
    path = SHARED / "data" / "hourly_profiles.csv"
    if not path.exists():
        pytest.skip(f"shared data not present at {path}")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    column = [k for k in rows[0] if k != "hour_start"][-1]
    hourly = {r["hour_start"]: float(r[column]) for r in rows}
    profile = profile_from_hourly(hourly=hourly, day_total=1242)
    assert len(profile.expected) == 2 * len(rows)
    assert sum(profile.expected) == pytest.approx(1242)
    assert profile.start_s == 8 * 3600
    peak = max(hourly, key=lambda h: hourly[h])
    index = 2 * sorted(hourly).index(peak)
    assert profile.expected[index] == max(profile.expected)


@pytest.mark.req("F-2.3.3")
def test_bad_inputs_are_refused_with_the_reason():
    with pytest.raises(InvalidSimulationInput):
        profile_from_hourly(hourly={"08:00": 1, "10:00": 2}, day_total=10)
    with pytest.raises(InvalidSimulationInput):
        StaffingPlan((3, -1))
    with pytest.raises(InvalidSimulationInput):
        SimulationParams(no_answer_probability=1.0)
    arrivals = ArrivalProfile(start_s=0, interval_s=1800, expected=(1.0, 2.0))
    with pytest.raises(InvalidSimulationInput) as caught:
        simulate_day(plan=StaffingPlan((1,)), arrivals=arrivals, params=MM_N, seed=1)
    assert caught.value.problem == "one staffing count per arrival interval"
