"""Forecast service: checks the requested range, fits the model, writes ``date,calls``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from wfm.forecast.calendar import days_between
from wfm.forecast.errors import ForecastInputInvalid, Problem
from wfm.forecast.events import EventSet
from wfm.forecast.history import DailyHistory
from wfm.forecast.model import FittedModel, fit

MAX_DAYS_AHEAD = 730
"""The furthest day after the history a forecast may reach (two years)."""


@dataclass(frozen=True)
class DailyForecast:
    """Whole calls for every day of the range, with the warnings about the history."""

    calls: dict[date, int]
    model: FittedModel
    warnings: tuple[Problem, ...]


def check_range(*, history: DailyHistory, start: date, end: date) -> None:
    """The range must start after the history ends, end on or after its start, not too far."""
    problems: list[Problem] = []
    if start <= history.last:
        problems.append(
            Problem(
                "start-before-history-end",
                f"予測開始日は履歴の最終日（{history.last.isoformat()}）より後にしてください",
                f"the forecast must start after the history ends ({history.last.isoformat()})",
                (start.isoformat(),),
            )
        )
    if end < start:
        problems.append(
            Problem(
                "end-before-start",
                "予測終了日が開始日より前です",
                "the end date is before the start date",
                (start.isoformat(), end.isoformat()),
            )
        )
    if end > history.last + timedelta(days=MAX_DAYS_AHEAD):
        problems.append(
            Problem(
                "range-too-far",
                f"予測できるのは履歴の最終日から{MAX_DAYS_AHEAD}日後までです",
                f"forecasts reach at most {MAX_DAYS_AHEAD} days after the history ends",
                (end.isoformat(),),
            )
        )
    if problems:
        raise ForecastInputInvalid(problems)


def forecast_range(
    *,
    history: DailyHistory,
    start: date,
    end: date,
    events: EventSet | None = None,
    default_seasons: bool = True,
) -> DailyForecast:
    """Forecast whole, non-negative calls for every day from start to end inclusive."""
    check_range(history=history, start=start, end=end)
    evs = events or EventSet()
    if default_seasons:
        evs = evs.with_default_seasons(history.first, end)
    model = fit(history, events=evs)
    calls = {d: round(model.predict(d)) for d in days_between(start, end)}
    return DailyForecast(calls, model, history.warnings)


def write_forecast_csv(*, forecast: DailyForecast, path: Path) -> None:
    """Write ``date,calls`` rows, one per day."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "calls"])
        for day, calls in sorted(forecast.calls.items()):
            writer.writerow([day.isoformat(), calls])
