"""Re-forecast the rest of today from the calls counted so far (intraday, F-2.3.1).

Rule: expected-so-far E = forecast total x profile share of the elapsed slots (and the elapsed
part of the current slot); observed-so-far O = calls counted. The remaining slots are scaled by
the shrunk ratio r = (O + k) / (E + k), where k (``prior_calls``, default 100) is a prior of
"the forecast is right" worth k calls: the posterior mean of a Gamma(k, k) prior on the day's
multiplier with Poisson counts. Early in the day E is small, so r stays near 1; once E is well
above k the observed ratio O / E dominates. Shares and r are never negative, so neither is the
re-forecast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from realtime.timeutil import JST, as_utc
from wfm.intraday.errors import IntradayInputInvalid
from wfm.intraday.profile import SLOT_MINUTES, SLOTS, IntradayProfile, slot_of


@dataclass(frozen=True)
class Reforecast:
    """Per-slot figures for today: counted calls for past slots, re-forecast for the rest."""

    slots: tuple[float, ...]
    current_slot: int
    observed: float
    expected: float
    raw_ratio: float | None
    ratio: float
    remaining: float
    day_total: float


def _non_negative(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise IntradayInputInvalid(f"{name} は 0 以上の数で指定してください。", where=name)


def reforecast_rest_of_day(
    *,
    forecast_total: float,
    shares: Sequence[float],
    actual: Sequence[float],
    current_calls: float = 0.0,
    elapsed_in_current: float = 0.0,
    prior_calls: float = 100.0,
) -> Reforecast:
    """Scale the rest of today's profile by the morning's observed / expected ratio (shrunk)."""
    _non_negative("forecast_total", forecast_total)
    _non_negative("current_calls", current_calls)
    if len(shares) != SLOTS or any(not math.isfinite(s) or s < 0 for s in shares):
        raise IntradayInputInvalid("プロファイルは 0 以上の48区分で指定してください。")
    if len(actual) > SLOTS:
        raise IntradayInputInvalid("実績は48区分以内で指定してください。", where="actual")
    for value in actual:
        _non_negative("actual", value)
    if not 0.0 <= elapsed_in_current <= 1.0:
        raise IntradayInputInvalid("経過割合は 0〜1 で指定してください。", where="elapsed")
    if not math.isfinite(prior_calls) or prior_calls <= 0:
        raise IntradayInputInvalid("prior_calls は正の数で指定してください。", where="prior")
    total_share = sum(shares)
    norm = [s / total_share for s in shares] if total_share > 0 else [0.0] * SLOTS
    current = len(actual)
    within = elapsed_in_current if current < SLOTS else 0.0
    expected = forecast_total * (sum(norm[:current]) + (norm[current] * within if within else 0))
    observed = float(sum(actual)) + (current_calls if current < SLOTS else 0.0)
    ratio = (observed + prior_calls) / (expected + prior_calls)
    raw = observed / expected if expected > 0 else None
    slots = [float(v) for v in actual]
    if current < SLOTS:
        slots.append(current_calls + (1.0 - within) * forecast_total * norm[current] * ratio)
        slots.extend(forecast_total * share * ratio for share in norm[current + 1 :])
    remaining = sum(slots) - observed
    return Reforecast(
        slots=tuple(slots),
        current_slot=current,
        observed=observed,
        expected=expected,
        raw_ratio=raw,
        ratio=ratio,
        remaining=max(0.0, remaining),
        day_total=sum(slots),
    )


def reforecast_from_calls(
    *,
    now: datetime,
    call_times: Iterable[datetime],
    forecast_total: float,
    profile: IntradayProfile,
    prior_calls: float = 100.0,
) -> Reforecast:
    """Re-forecast today (Japan time) from the arrival times of today's calls up to ``now``."""
    today, current = slot_of(now)
    local_now = as_utc(now).astimezone(JST)
    counts = [0.0] * SLOTS
    for moment in call_times:
        if as_utc(moment) > as_utc(now):
            continue
        day, slot = slot_of(moment)
        if day == today:
            counts[slot] += 1
    elapsed = (local_now.minute % SLOT_MINUTES * 60 + local_now.second) / (SLOT_MINUTES * 60)
    return reforecast_rest_of_day(
        forecast_total=forecast_total,
        shares=profile.for_weekday(today.weekday()),
        actual=counts[:current],
        current_calls=counts[current],
        elapsed_in_current=elapsed,
        prior_calls=prior_calls,
    )
