"""The daily forecast model: robust local level x calendar day-type factors x known events.

In log space, ``log(calls + 1) = level(t) + x(t).beta + log(event factor)``.

Fitting alternates two steps a few times: (1) with the level held fixed, fit the day-type
coefficients ``beta`` by Huber-weighted ridge regression towards their priors; (2) with
``beta`` held fixed, re-estimate the level as a rolling median of business-day residuals.
The forecast level starts from a robust, exponentially weighted mean of the most recent
business-day residuals and decays, business day by business day, towards the median level
of the last few months (a damped local level).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date

from wfm.forecast.calendar import CityCalendar, days_between
from wfm.forecast.events import EventSet
from wfm.forecast.features import FEATURES, NOISE_SD, design_row
from wfm.forecast.history import DailyHistory
from wfm.forecast.linalg import ridge


@dataclass(frozen=True)
class ModelConfig:
    """Tuning of the model (values chosen by the rolling-origin backtest, docs/forecast.md)."""

    smooth_half_width: int = 5
    """Business days either side in the rolling median that tracks the level while fitting."""
    level_half_life: float = 3.0
    """Half-life, in business days, of the weights of recent residuals in the start level."""
    level_window: int = 10
    """Business days used for the start level."""
    long_window: int = 60
    """Business days used for the long-run level the forecast decays towards."""
    damping: float = 0.93
    """Share of the start level's deviation from the long-run level kept per business day."""
    huber_k: float = 2.0
    """Residuals beyond this many noise deviations are down-weighted."""
    rounds: int = 4


@dataclass
class FittedModel:
    """The coefficients and level state after fitting a history."""

    calendar: CityCalendar
    events: EventSet
    config: ModelConfig
    beta: list[float]
    last: date
    start_level: float
    long_level: float
    coefficients: dict[str, float] = field(default_factory=dict)

    def log_mean(self, day: date) -> float:
        """Log forecast (of calls + 1) for one day after the history."""
        info = self.calendar.info(day)
        ahead = sum(1 for d in days_between(self.last, day)[1:] if self.calendar.info(d).business)
        level = self.long_level + (self.start_level - self.long_level) * self.config.damping ** max(
            ahead - 1, 0
        )
        calendar_part = sum(b * x for b, x in zip(self.beta, design_row(info), strict=True))
        return level + calendar_part + math.log(self.events.factor(day, self.calendar))

    def predict(self, day: date) -> float:
        """Expected calls for one day (not rounded)."""
        return max(math.exp(self.log_mean(day)) - 1.0, 0.0)


def _huber_weight(residual: float, scale: float, k: float) -> float:
    a = abs(residual) / scale
    return 1.0 if a <= k else k / a


def _robust_scale(values: list[float]) -> float:
    if len(values) < 2:
        return NOISE_SD
    centre = statistics.median(values)
    mad = statistics.median(abs(v - centre) for v in values)
    return max(1.4826 * mad, 0.02)


def fit(
    history: DailyHistory,
    *,
    events: EventSet | None = None,
    calendar: CityCalendar | None = None,
    config: ModelConfig | None = None,
) -> FittedModel:
    """Fit the model to a checked history."""
    cfg = config or ModelConfig()
    evs = events or EventSet()
    cal = calendar or CityCalendar(extra_closures=evs.closures)
    usable = history.usable(cal)
    days = sorted(usable)
    infos = [cal.info(d) for d in days]
    rows = [design_row(i) for i in infos]
    y = [math.log(usable[d] + 1.0) - math.log(evs.factor(d, cal)) for d in days]
    business_idx = [k for k, i in enumerate(infos) if i.business]
    penalties = [f.penalty for f in FEATURES]
    priors = [f.prior for f in FEATURES]

    level = [0.0] * len(days)
    weights = [1.0] * len(days)
    beta = [f.prior for f in FEATURES]
    for _ in range(cfg.rounds):
        for _ in range(3):
            target = [a - b for a, b in zip(y, level, strict=True)]
            beta = ridge(
                rows=rows, targets=target, weights=weights, penalties=penalties, priors=priors
            )
            resid = [
                t - sum(b * x for b, x in zip(beta, row, strict=True))
                for t, row in zip(target, rows, strict=True)
            ]
            scale = _robust_scale(resid)
            weights = [_huber_weight(r, scale, cfg.huber_k) for r in resid]
        level = _smooth_level(y, rows, beta, business_idx, cfg.smooth_half_width)

    fitted_calendar = [sum(b * x for b, x in zip(beta, row, strict=True)) for row in rows]
    business_resid = [y[k] - fitted_calendar[k] for k in business_idx]
    start_level, long_level = _forecast_levels(business_resid, cfg)
    return FittedModel(
        calendar=cal,
        events=evs,
        config=cfg,
        beta=beta,
        last=history.last,
        start_level=start_level,
        long_level=long_level,
        coefficients={f.name: b for f, b in zip(FEATURES, beta, strict=True)},
    )


def _smooth_level(
    y: list[float],
    rows: list[list[float]],
    beta: list[float],
    business_idx: list[int],
    half_width: int,
) -> list[float]:
    """Rolling median of business-day residuals, carried to the closed days in between."""
    resid = [y[k] - sum(b * x for b, x in zip(beta, rows[k], strict=True)) for k in business_idx]
    smooth: list[float] = []
    for j in range(len(resid)):
        lo = max(0, j - half_width)
        hi = min(len(resid), j + half_width + 1)
        smooth.append(statistics.median(resid[lo:hi]))
    level = [0.0] * len(y)
    if not business_idx:
        return level
    pointer = 0
    for k in range(len(y)):
        while pointer + 1 < len(business_idx) and business_idx[pointer + 1] <= k:
            pointer += 1
        level[k] = smooth[pointer]
    # The level was in the intercept before; keep it centred so the two do not drift apart.
    centre = statistics.median(smooth)
    return [v - centre for v in level]


def _forecast_levels(business_resid: list[float], cfg: ModelConfig) -> tuple[float, float]:
    """Start level (recent, robust) and long-run level (median of recent months)."""
    recent = business_resid[-cfg.level_window :]
    centre = statistics.median(recent)
    scale = _robust_scale(recent)
    total = 0.0
    norm = 0.0
    for age, value in enumerate(reversed(recent)):
        weight = 0.5 ** (age / cfg.level_half_life)
        clipped = centre + max(-2.0 * scale, min(2.0 * scale, value - centre))
        total += weight * clipped
        norm += weight
    long_level = statistics.median(business_resid[-cfg.long_window :])
    return total / norm, long_level
