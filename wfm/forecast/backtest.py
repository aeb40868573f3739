"""Rolling-origin backtest: WAPE, MAPE and bias on business days per horizon."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from wfm.forecast.baselines import calendar_regression, same_weekday_last_week
from wfm.forecast.calendar import CityCalendar
from wfm.forecast.errors import ForecastInputInvalid, Problem
from wfm.forecast.events import EventSet
from wfm.forecast.history import MIN_HISTORY_DAYS, DailyHistory
from wfm.forecast.model import ModelConfig, fit

Forecaster = Callable[[DailyHistory, list[date]], dict[date, float]]


@dataclass(frozen=True)
class Score:
    """Accuracy over a set of (forecast, actual) business-day pairs."""

    wape: float
    mape: float
    bias: float
    n: int

    @staticmethod
    def of(pairs: list[tuple[float, float]]) -> Score:
        """WAPE = sum|f-a|/sum a; MAPE = mean |f-a|/a; bias = sum(f-a)/sum a."""
        total = sum(a for _, a in pairs)
        if not pairs or total <= 0:
            return Score(float("nan"), float("nan"), float("nan"), len(pairs))
        return Score(
            wape=sum(abs(f - a) for f, a in pairs) / total,
            mape=sum(abs(f - a) / a for f, a in pairs if a > 0)
            / max(1, sum(1 for _, a in pairs if a > 0)),
            bias=sum(f - a for f, a in pairs) / total,
            n=len(pairs),
        )


@dataclass
class MethodResult:
    """One method's scores per horizon (calendar days ahead) and over all horizons."""

    name: str
    by_horizon: dict[int, Score] = field(default_factory=dict)
    overall: Score | None = None


@dataclass
class BacktestResult:
    """Every method's scores and the origins used."""

    first_origin: date
    last_origin: date
    origins: int
    horizon: int
    methods: list[MethodResult]


def model_forecaster(
    events: EventSet | None = None, config: ModelConfig | None = None
) -> Forecaster:
    """The model as a backtest forecaster."""
    evs = events or EventSet()

    def forecast(history: DailyHistory, days: list[date]) -> dict[date, float]:
        fitted = fit(history, events=evs, config=config)
        return {d: fitted.predict(d) for d in days}

    return forecast


def run_backtest(
    history: DailyHistory,
    *,
    horizon: int = 7,
    first_origin: date | None = None,
    events: EventSet | None = None,
    methods: dict[str, Forecaster] | None = None,
) -> BacktestResult:
    """Forecast from every day between first_origin and the end, score business days."""
    if not 1 <= horizon <= 62:
        raise ForecastInputInvalid(
            [
                Problem(
                    "invalid-horizon",
                    "予測期間は1〜62日で指定してください",
                    "horizon must be 1-62 days",
                )
            ]
        )
    evs = events or EventSet()
    cal = CityCalendar(extra_closures=evs.closures)
    earliest = history.first + timedelta(days=MIN_HISTORY_DAYS + 14)
    start = max(first_origin or earliest, earliest)
    last_origin = history.last - timedelta(days=1)
    if start > last_origin:
        raise ForecastInputInvalid(
            [
                Problem(
                    "history-too-short",
                    "バックテストには10週間を超える履歴が必要です",
                    "the backtest needs more than 10 weeks of history",
                )
            ]
        )
    chosen = methods or {
        "model": model_forecaster(evs),
        "calendar regression": lambda h, d: calendar_regression(h, d, calendar=cal),
        "same weekday last week": same_weekday_last_week,
    }
    pairs: dict[str, dict[int, list[tuple[float, float]]]] = {
        name: {h: [] for h in range(1, horizon + 1)} for name in chosen
    }
    origin = start
    origins = 0
    while origin <= last_origin:
        cut = history.until(origin)
        targets = [origin + timedelta(days=h) for h in range(1, horizon + 1)]
        scored = [
            d
            for d in targets
            if d <= history.last
            and d in history.counts
            and cal.info(d).business
            and history.counts[d] > 0
        ]
        if scored:
            origins += 1
            for name, method in chosen.items():
                predicted = method(cut, targets)
                for d in scored:
                    pairs[name][(d - origin).days].append((predicted[d], float(history.counts[d])))
        origin += timedelta(days=1)
    results: list[MethodResult] = []
    for name in chosen:
        result = MethodResult(name)
        everything: list[tuple[float, float]] = []
        for h in range(1, horizon + 1):
            result.by_horizon[h] = Score.of(pairs[name][h])
            everything.extend(pairs[name][h])
        result.overall = Score.of(everything)
        results.append(result)
    return BacktestResult(start, last_origin, origins, horizon, results)


def format_table(result: BacktestResult) -> str:
    """A Markdown table: one row per method, WAPE per horizon, then overall WAPE/MAPE/bias."""
    heads = [f"h={h}" for h in range(1, result.horizon + 1)]
    lines = [
        "| method | "
        + " | ".join(heads)
        + f" | WAPE 1-{result.horizon} | MAPE 1-{result.horizon} | bias 1-{result.horizon} |",
        "|---|" + "---:|" * (len(heads) + 3),
    ]
    for method in result.methods:
        cells = [f"{method.by_horizon[h].wape * 100:.1f}%" for h in range(1, result.horizon + 1)]
        overall = method.overall or Score.of([])
        lines.append(
            f"| {method.name} | "
            + " | ".join(cells)
            + f" | {overall.wape * 100:.1f}% | {overall.mape * 100:.1f}%"
            + f" | {overall.bias * 100:+.1f}% |"
        )
    return "\n".join(lines)
