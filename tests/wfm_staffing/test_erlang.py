"""Erlang B/C/A against published values, brute-force Markov chains and simulation."""

from __future__ import annotations

import math

import pytest

from tests.wfm_staffing.markov import stationary, tagged_caller
from wfm.staffing.erlang import (
    AbandonedCounting,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
)
from wfm.staffing.errors import StaffingInputInvalid
from wfm.staffing.simulate import simulate_queue


@pytest.mark.req("F-2.3.1")
def test_erlang_b_matches_the_published_table_value_and_the_loss_chain() -> None:
    # Published Erlang B table: 10 circuits, 10 Erlangs -> 0.2146.
    assert erlang_b(agents=10, load=10.0) == pytest.approx(0.2146, abs=5e-5)
    for agents, load in [(1, 0.5), (7, 3.2), (40, 35.0)]:
        weights = [load**n / math.factorial(n) for n in range(agents + 1)]
        assert erlang_b(agents=agents, load=load) == pytest.approx(weights[-1] / sum(weights))


@pytest.mark.req("F-2.3.1")
def test_erlang_c_reproduces_the_published_600_calls_example() -> None:
    # 600 calls/h of 120 s (20 E): 26 agents keep P(wait) under 15 %, ASA about 3 s;
    # 30 agents bring P(wait) to 2.5 % (published Erlang C calculator example).
    assert erlang_c(agents=25, load=20.0) > 0.15 >= erlang_c(agents=26, load=20.0)
    m = erlang_c_metrics(calls=600, period_s=3600, aht_s=120, agents=26, answer_within_s=0)
    assert m.asa_s == pytest.approx(3.0, abs=0.2)
    assert erlang_c(agents=30, load=20.0) == pytest.approx(0.025, abs=0.001)


@pytest.mark.req("F-2.3.1")
@pytest.mark.parametrize(("agents", "load"), [(3, 2.2), (14, 10.0), (120, 110.0)])
def test_erlang_c_equals_the_waiting_probability_of_the_mm_n_chain(agents, load) -> None:
    pi = stationary(load, 1.0, agents, 0.0, 6000)
    assert erlang_c(agents=agents, load=load) == pytest.approx(sum(pi[agents:]), rel=1e-9)


@pytest.mark.req("F-2.3.1")
def test_erlang_b_and_c_stay_finite_for_hundreds_of_agents() -> None:
    c = erlang_c(agents=620, load=600.0)
    assert 0.0 < c < 1.0
    pi = stationary(600.0, 1.0, 620, 0.0, 20000)
    assert c == pytest.approx(sum(pi[620:]), rel=1e-6)
    assert erlang_b(agents=5000, load=10.0) == 0.0
    assert 0.0 < erlang_b(agents=900, load=880.0) < 0.05


@pytest.mark.req("F-2.3.1")
@pytest.mark.parametrize(
    ("calls", "aht", "agents", "patience"),
    [(170, 180, 8, 120.0), (170, 180, 11, 300.0), (500, 200, 30, 90.0)],
)
def test_erlang_a_equals_the_birth_death_chain_solution(calls, aht, agents, patience) -> None:
    lam, mu, theta = calls / 3600, 1 / aht, 1 / patience
    within, abandoned_within, abandoned = tagged_caller(lam, mu, agents, theta, 15.0)
    m = erlang_a_metrics(
        calls=calls, period_s=3600, aht_s=aht, agents=agents, answer_within_s=15,
        patience_s=patience,
    )  # fmt: skip
    assert m.answered_within == pytest.approx(within, abs=1e-6)
    assert m.abandoned_within == pytest.approx(abandoned_within, abs=1e-6)
    assert m.p_abandon == pytest.approx(abandoned, abs=1e-9)


@pytest.mark.req("F-2.3.1", "F-2.3.3")
@pytest.mark.parametrize(("agents", "patience"), [(9, 60.0), (10, 180.0)])
def test_erlang_a_agrees_with_a_simulation_of_the_queue(agents, patience) -> None:
    m = erlang_a_metrics(
        calls=170, period_s=3600, aht_s=180, agents=agents, answer_within_s=15,
        patience_s=patience,
    )  # fmt: skip
    sim = simulate_queue(
        calls_per_hour=170, aht_s=180, agents=agents, patience_s=patience,
        answer_within_s=15, calls=150_000, seed=agents,
    )  # fmt: skip
    assert sim.abandoned == pytest.approx(m.p_abandon, abs=0.01)
    assert sim.answered_within == pytest.approx(m.answered_within, abs=0.015)
    assert sim.abandoned_within == pytest.approx(m.abandoned_within, abs=0.01)
    assert sim.asa_s == pytest.approx(m.asa_s, rel=0.1)


@pytest.mark.req("F-2.3.1")
def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    c = erlang_c_metrics(calls=170, period_s=3600, aht_s=180, agents=11, answer_within_s=15)
    gaps = []
    for patience in (600.0, 6_000.0, 600_000.0):
        a = erlang_a_metrics(
            calls=170, period_s=3600, aht_s=180, agents=11, answer_within_s=15,
            patience_s=patience,
        )  # fmt: skip
        gaps.append(abs(a.answered_within - c.answered_within))
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-4
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-4)
    assert a.asa_s == pytest.approx(c.asa_s, rel=5e-3)


@pytest.mark.req("F-2.3.1")
def test_abandoned_counting_options_rank_as_their_definitions_say() -> None:
    levels = {}
    for counting in AbandonedCounting:
        levels[counting] = erlang_a_metrics(
            calls=170, period_s=3600, aht_s=180, agents=9, answer_within_s=15,
            patience_s=60.0, counting=counting,
        )  # fmt: skip
    m = levels[AbandonedCounting.OFFERED]
    assert m.service_level == m.answered_within
    answered = levels[AbandonedCounting.ANSWERED].service_level
    assert answered == pytest.approx(m.answered_within / (1 - m.p_abandon))
    short = levels[AbandonedCounting.EXCLUDE_SHORT].service_level
    assert short == pytest.approx(m.answered_within / (1 - m.abandoned_within))
    met = levels[AbandonedCounting.SHORT_AS_MET].service_level
    assert met == pytest.approx(m.answered_within + m.abandoned_within)
    assert m.service_level < short < answered


@pytest.mark.req("F-2.3.1")
def test_mean_wait_obeys_littles_law_for_abandonment() -> None:
    m = erlang_a_metrics(
        calls=170, period_s=3600, aht_s=180, agents=9, answer_within_s=15, patience_s=90.0
    )
    pi = stationary(170 / 3600, 1 / 180, 9, 1 / 90, 400)
    queue_length = sum(max(n - 9, 0) * p for n, p in enumerate(pi))
    assert m.mean_wait_s == pytest.approx(queue_length / (170 / 3600), rel=1e-6)


@pytest.mark.req("F-2.3.1")
def test_bad_numbers_raise_a_typed_input_error() -> None:
    with pytest.raises(StaffingInputInvalid) as caught:
        erlang_c_metrics(calls=-5, period_s=1800, aht_s=180, agents=3, answer_within_s=15)
    assert caught.value.error_id == "staffing-input-invalid"
    assert caught.value.field == "calls"
    with pytest.raises(StaffingInputInvalid):
        erlang_a_metrics(
            calls=5, period_s=1800, aht_s=0, agents=3, answer_within_s=15, patience_s=60
        )
