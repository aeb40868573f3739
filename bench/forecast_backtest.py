"""Benchmark: rolling-origin backtest of the daily forecast on the city's history.

Run from the repository root:
    PYTHONPATH=. python bench/forecast_backtest.py [--history FILE]
Prints the Markdown tables for docs/benchmarks.md (business days only, horizons 1-7).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date, timedelta
from pathlib import Path

from wfm.forecast.backtest import format_table, run_backtest
from wfm.forecast.events import EventSet
from wfm.forecast.history import read_history_csv

DEFAULT_HISTORY = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "daily_calls_2021-04_2021-12.csv"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=Path, default=DEFAULT_HISTORY)
    args = parser.parse_args()
    history = read_history_csv(args.history)
    events = EventSet().with_default_seasons(history.first, history.last + timedelta(days=62))
    cores = os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    runs: tuple[tuple[date | None, str], ...] = (
        (date(2021, 7, 15), "mid-July"),
        (None, "the earliest day with 10 weeks of history"),
    )
    for first_origin, label in runs:
        started = time.perf_counter()
        result = run_backtest(history, horizon=7, first_origin=first_origin, events=events)
        elapsed = time.perf_counter() - started
        print(
            f"\n### Origins from {label}: {result.first_origin} .. {result.last_origin} "
            f"({result.origins} origins, {elapsed:.1f} s)\n"
        )
        print(format_table(result))


if __name__ == "__main__":
    main()
