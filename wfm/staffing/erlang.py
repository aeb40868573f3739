"""Erlang B, C and A (Palm) queue metrics with numerically stable recursions (F-2.3.1).

Method (see docs/staffing.md for the derivation):

* Erlang B by the recursion on the inverse blocking, ``I(n) = 1 + (n / a) * I(n - 1)``, kept as
  ``log I`` with log-add-exp: no factorials, no overflow or underflow for thousands of agents.
* Erlang C from Erlang B: ``C = N / (I (N - a) + a)``.
* Erlang A (M/M/N+M, Palm's model; Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with
  applications to call centers", 2007). With ``x = N mu / theta`` and ``y = lambda / theta`` the
  birth-death chain gives ``pi(N + j) = pi(N) * t_j`` with ``t_j = y^j / ((x+1)...(x+j))``, and
  ``A(x, y) = sum_j t_j`` is the (all-positive) series of the lower incomplete gamma function.
  A call arriving behind ``j`` waiting callers is served with probability ``x / (x + j + 1)``, so
  P(abandon) and the mean wait of answered calls are exact positive sums over ``j``. The wait
  distribution uses the closed form ``P(W > t, answered) = pi(N) (A(x, z) - 1) exp(-N mu t +
  y (1 - e^{-theta t})) / rho`` with ``z = y e^{-theta t}``, and ``P(W > t) = pi(N) A(x, z)
  exp(-(N mu + theta) t + y (1 - e^{-theta t}))``. Series are summed in log space until the terms
  fall below 1e-18 of the largest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from wfm.staffing.errors import StaffingInputInvalid

_TAIL = 42.0  # stop a series when a term is below e^-42 (~6e-19) of the largest term
_MAX_TERMS = 5_000_000


class AbandonedCounting(StrEnum):
    """How abandoned calls count in the service level (answered within the threshold).

    * ``offered``: answered within t / offered calls; every abandonment is a miss (the city's
      S-P1 reading: the share of all calls that were answered within 15 s).
    * ``answered``: answered within t / answered calls; abandonments are left out entirely.
    * ``exclude_short``: answered within t / (offered - abandoned within t); callers who hung up
      before the threshold are left out, later abandonments are misses.
    * ``short_as_met``: (answered within t + abandoned within t) / offered; short abandonments
      count as met, later abandonments as misses.
    """

    OFFERED = "offered"
    ANSWERED = "answered"
    EXCLUDE_SHORT = "exclude_short"
    SHORT_AS_MET = "short_as_met"


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of one interval with a given number of agents."""

    model: str
    agents: int
    offered_load: float
    p_wait: float
    p_abandon: float
    answered_within: float
    abandoned_within: float
    service_level: float
    asa_s: float
    mean_wait_s: float
    occupancy: float
    stable: bool


def _logaddexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = (a, b) if a >= b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


def _check(name: str, value: float, *, minimum: float = 0.0, strict: bool = False) -> None:
    if not math.isfinite(value) or value < minimum or (strict and value == minimum):
        sign = "より大きい" if strict else "以上の"
        raise StaffingInputInvalid(
            f"{name} は {minimum:g} {sign}有限の数で指定してください。", field=name, value=value
        )


def _check_agents(agents: int) -> None:
    if agents < 0:
        raise StaffingInputInvalid(
            "agents は 0 以上の整数で指定してください。", field="agents", value=agents
        )


def log_inverse_erlang_b(*, agents: int, load: float) -> float:
    """log(1 / B(agents, load)) by the stable recursion, for load > 0."""
    _check_agents(agents)
    _check("load", load, strict=True)
    log_inv = 0.0
    log_a = math.log(load)
    for n in range(1, agents + 1):
        log_inv = _logaddexp(0.0, math.log(n) - log_a + log_inv)
    return log_inv


def erlang_b(*, agents: int, load: float) -> float:
    """Erlang B blocking probability for ``agents`` servers and ``load`` Erlangs."""
    _check("load", load)
    _check_agents(agents)
    if load == 0:
        return 0.0 if agents > 0 else 1.0
    return math.exp(-log_inverse_erlang_b(agents=agents, load=load))


def erlang_c(*, agents: int, load: float) -> float:
    """Erlang C probability of waiting; 1.0 when the queue is unstable (agents <= load)."""
    _check("load", load)
    _check_agents(agents)
    if load == 0:
        return 0.0
    if agents <= load:
        return 1.0
    log_inv = log_inverse_erlang_b(agents=agents, load=load)
    denominator = _logaddexp(log_inv + math.log(agents - load), math.log(load))
    return math.exp(math.log(agents) - denominator)


def _service_level(
    answered_within: float, abandoned_within: float, p_abandon: float, counting: AbandonedCounting
) -> float:
    if counting is AbandonedCounting.OFFERED:
        value = answered_within
    elif counting is AbandonedCounting.ANSWERED:
        answered = 1.0 - p_abandon
        value = answered_within / answered if answered > 0 else 0.0
    elif counting is AbandonedCounting.EXCLUDE_SHORT:
        counted = 1.0 - abandoned_within
        value = answered_within / counted if counted > 0 else 0.0
    else:
        value = answered_within + abandoned_within
    return min(1.0, max(0.0, value))


def _rates(calls: float, period_s: float, aht_s: float, answer_within_s: float) -> float:
    _check("calls", calls)
    _check("period_s", period_s, strict=True)
    _check("aht_s", aht_s, strict=True)
    _check("answer_within_s", answer_within_s)
    return calls / period_s


def _idle(model: str, agents: int) -> QueueMetrics:
    return QueueMetrics(model, agents, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, True)


def erlang_c_metrics(
    *,
    calls: float,
    period_s: float,
    aht_s: float,
    agents: int,
    answer_within_s: float,
    counting: AbandonedCounting = AbandonedCounting.OFFERED,
) -> QueueMetrics:
    """Erlang C (no abandonment) metrics for ``calls`` offered over ``period_s`` seconds."""
    lam = _rates(calls, period_s, aht_s, answer_within_s)
    _check_agents(agents)
    if lam == 0:
        return _idle("erlang_c", agents)
    load = lam * aht_s
    if agents <= load:
        return QueueMetrics(
            "erlang_c", agents, load, 1.0, 0.0, 0.0, 0.0, 0.0, math.inf, math.inf, 1.0, False
        )
    p_wait = erlang_c(agents=agents, load=load)
    drain = agents / aht_s - lam
    answered_within = 1.0 - p_wait * math.exp(-drain * answer_within_s)
    asa = p_wait / drain
    sl = _service_level(answered_within, 0.0, 0.0, counting)
    return QueueMetrics(
        "erlang_c", agents, load, p_wait, 0.0, answered_within, 0.0, sl, asa, asa,
        load / agents, True,
    )  # fmt: skip


@dataclass(frozen=True)
class _Series:
    log_sum: float  # log A(x, w)
    log_tail: float  # log (A(x, w) - 1)
    log_scale: float  # the weighted sums below are relative to exp(log_scale)
    abandon: float  # sum t_j (j + 1) / (x + j + 1)
    served_wait: float  # sum t_j S_j (S_j: E[wait; answered | j ahead])


def _series(x: float, w: float, theta: float | None) -> _Series:
    """Sum t_j = w^j / ((x+1)...(x+j)) in log space (and the Erlang A weighted sums)."""
    log_w = math.log(w) if w > 0 else -math.inf
    logs = [0.0]
    peak = 0.0
    j = 0
    while True:
        j += 1
        if j > _MAX_TERMS:
            raise StaffingInputInvalid(
                "待ち許容時間が長すぎ、人数が少なすぎるため計算できません。",
                field="patience_s",
                value=None if theta is None else 1.0 / theta,
            )
        term = logs[-1] + log_w - math.log(x + j)
        logs.append(term)
        peak = max(peak, term)
        if j > w - x and term < peak - _TAIL:
            break
    log_sum = -math.inf
    log_tail = -math.inf
    for k, term in enumerate(logs):
        log_sum = _logaddexp(log_sum, term)
        if k > 0:
            log_tail = _logaddexp(log_tail, term)
    abandon = 0.0
    served_wait = 0.0
    if theta is not None:
        s_prev = 0.0
        for k, term in enumerate(logs):
            weight = math.exp(term - peak)
            s_k = x / (theta * (x + k + 1) ** 2) + (x + k) / (x + k + 1) * s_prev
            abandon += weight * (k + 1) / (x + k + 1)
            served_wait += weight * s_k
            s_prev = s_k
    return _Series(log_sum, log_tail, peak, abandon, served_wait)


def erlang_a_metrics(
    *,
    calls: float,
    period_s: float,
    aht_s: float,
    agents: int,
    answer_within_s: float,
    patience_s: float,
    counting: AbandonedCounting = AbandonedCounting.OFFERED,
) -> QueueMetrics:
    """Erlang A (exponential patience with mean ``patience_s``) metrics for one interval."""
    lam = _rates(calls, period_s, aht_s, answer_within_s)
    _check("patience_s", patience_s, strict=True)
    _check_agents(agents)
    if lam == 0:
        return _idle("erlang_a", agents)
    mu = 1.0 / aht_s
    load = lam * aht_s
    theta = 1.0 / patience_s
    t = answer_within_s
    if agents == 0:
        within = -math.expm1(-theta * t)
        sl = _service_level(0.0, within, 1.0, counting)
        return QueueMetrics(
            "erlang_a", 0, load, 1.0, 1.0, 0.0, within, sl, math.inf, patience_s, 0.0, True
        )
    x = agents * mu / theta
    y = lam / theta
    z = y * math.exp(-theta * t)
    rho = lam / (agents * mu)
    at_y = _series(x, y, theta)
    log_inv = log_inverse_erlang_b(agents=agents, load=load)
    log_inv_minus_one = log_inv + math.log(-math.expm1(-log_inv))
    log_pi_n = -_logaddexp(log_inv_minus_one, at_y.log_sum)
    p_wait = math.exp(log_pi_n + at_y.log_sum)
    p_abandon = min(1.0, math.exp(log_pi_n + at_y.log_scale) * at_y.abandon)
    wait_answered = math.exp(log_pi_n + at_y.log_scale) * at_y.served_wait
    at_z = _series(x, z, None)
    log_growth = -agents * mu * t - y * math.expm1(-theta * t)
    p_wait_beyond = math.exp(log_pi_n + at_z.log_sum + log_growth - theta * t)
    answered_late = math.exp(log_pi_n + at_z.log_tail + log_growth) / rho
    answered_within = min(1.0, max(0.0, 1.0 - p_abandon - answered_late))
    abandoned_within = min(p_abandon, max(0.0, p_abandon - (p_wait_beyond - answered_late)))
    answered = 1.0 - p_abandon
    sl = _service_level(answered_within, abandoned_within, p_abandon, counting)
    return QueueMetrics(
        model="erlang_a",
        agents=agents,
        offered_load=load,
        p_wait=p_wait,
        p_abandon=p_abandon,
        answered_within=answered_within,
        abandoned_within=abandoned_within,
        service_level=sl,
        asa_s=wait_answered / answered if answered > 0 else math.inf,
        mean_wait_s=p_abandon / theta,
        occupancy=min(1.0, load * answered / agents),
        stable=True,
    )
