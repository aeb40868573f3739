"""``madoguchi wfm ...``: daily forecast and its rolling-origin backtest (F-2.3.1)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from realtime.cliutil import run_group
from wfm.forecast.backtest import format_table, run_backtest
from wfm.forecast.errors import ForecastInputInvalid, Problem
from wfm.forecast.events import EventSet, read_events_csv
from wfm.forecast.history import parse_date, read_history_csv
from wfm.forecast.service import forecast_range, write_forecast_csv

EXIT_INPUT = 2


def _date_arg(text: str) -> date:
    parsed = parse_date(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD 形式で指定してください / use YYYY-MM-DD: {text!r}"
        )
    return parsed


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``wfm`` command group."""
    parser = sub.add_parser("wfm", help="workforce management: forecasts (F-2.3)")
    group = parser.add_subparsers(dest="wfm_command", required=True)

    fc = group.add_parser("forecast", help="daily call forecast from a history CSV")
    fc.add_argument("--history", type=Path, required=True, help="CSV with date,calls[,weekday]")
    fc.add_argument("--start", type=_date_arg, required=True, help="first day (YYYY-MM-DD)")
    fc.add_argument("--end", type=_date_arg, required=True, help="last day (YYYY-MM-DD)")
    fc.add_argument("--out", type=Path, required=True, help="output CSV (date,calls)")
    fc.add_argument("--events", type=Path, help="known events CSV (date,kind[,factor][,end])")
    fc.add_argument(
        "--no-default-seasons",
        action="store_true",
        help="do not add the built-in tax-filing and moving seasons",
    )
    fc.set_defaults(handler=_forecast)

    bt = group.add_parser("backtest", help="rolling-origin backtest: WAPE/MAPE/bias per horizon")
    bt.add_argument("--history", type=Path, required=True)
    bt.add_argument("--horizon", type=int, default=7, help="days ahead, 1-62 (default 7)")
    bt.add_argument("--from", dest="first_origin", type=_date_arg, help="first origin")
    bt.add_argument("--events", type=Path)
    bt.add_argument("--no-default-seasons", action="store_true")
    bt.add_argument("--json", action="store_true", help="print JSON instead of a table")
    bt.set_defaults(handler=_backtest)


def _report(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        print(f"警告 / warning: {problem.render()}", file=sys.stderr)


def _events(args: argparse.Namespace) -> EventSet:
    return read_events_csv(args.events) if args.events else EventSet()


def _forecast(args: argparse.Namespace) -> int:
    try:
        history = read_history_csv(args.history)
        events = _events(args)
        result = forecast_range(
            history=history,
            start=args.start,
            end=args.end,
            events=events,
            default_seasons=not args.no_default_seasons,
        )
        write_forecast_csv(forecast=result, path=args.out)
    except ForecastInputInvalid as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"出力ファイルに書き込めません / cannot write the output: {exc}", file=sys.stderr)
        return EXIT_INPUT
    _report(result.warnings)
    print(f"{len(result.calls)} days written to {args.out} ({args.start} .. {args.end})")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    try:
        history = read_history_csv(args.history)
        events = _events(args)
        if not args.no_default_seasons:
            events = events.with_default_seasons(history.first, history.last + timedelta(days=62))
        result = run_backtest(
            history,
            horizon=args.horizon,
            first_origin=args.first_origin,
            events=events,
        )
    except ForecastInputInvalid as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    _report(history.warnings)
    if args.json:
        payload = {
            "first_origin": result.first_origin.isoformat(),
            "last_origin": result.last_origin.isoformat(),
            "origins": result.origins,
            "horizon": result.horizon,
            "methods": {
                m.name: {
                    "overall": asdict(m.overall) if m.overall else None,
                    "by_horizon": {str(h): asdict(s) for h, s in m.by_horizon.items()},
                }
                for m in result.methods
            },
        }
        print(json.dumps(payload, indent=2))
    else:
        print(
            f"rolling origins {result.first_origin} .. {result.last_origin} "
            f"({result.origins} origins), business days only"
        )
        print(format_table(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``wfm`` commands standalone: ``python -m wfm.cli wfm forecast ...``."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
