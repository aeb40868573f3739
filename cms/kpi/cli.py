"""``madoguchi kpi report``: KPIs and service levels for any period and grouping (F-2.4.2)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from cms.kpi.grouping import KNOWN, Period, parse_dimensions
from cms.kpi.render import render_text
from cms.kpi.report import build_report
from realtime.errors import MadoguchiError

EXIT_INPUT = 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD 形式で指定してください / use YYYY-MM-DD: {text!r}"
        ) from None


def _month(text: str) -> tuple[int, int]:
    try:
        first = dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"月は YYYY-MM 形式で指定してください / use YYYY-MM: {text!r}"
        ) from None
    return first.year, first.month


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``kpi`` command group."""
    parser = sub.add_parser("kpi", help="KPIs and service levels from the contact event log")
    group = parser.add_subparsers(dest="kpi_command", required=True)
    rep = group.add_parser("report", help="report the KPIs of a period (JST days)")
    span = rep.add_mutually_exclusive_group(required=True)
    span.add_argument("--month", type=_month, help="a calendar month, YYYY-MM")
    span.add_argument("--from", dest="first", type=_date, help="first day, YYYY-MM-DD")
    rep.add_argument("--to", dest="last", type=_date, help="last day (included), YYYY-MM-DD")
    rep.add_argument(
        "--by", default="period", help=f"comma-separated groupings: {', '.join(KNOWN)}"
    )
    rep.add_argument("--format", choices=("text", "json"), default="text")
    rep.add_argument("--database-url", default=None, help="defaults to DATABASE_URL")
    rep.set_defaults(handler=_report)


def _database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    from realtime.settings import load_settings

    return load_settings(env_file=Path(".env")).effective_database_url


def _report(args: argparse.Namespace) -> int:
    from realtime.db import Database

    try:
        if args.month is not None:
            if args.last is not None:
                print(
                    "--to は --from と組み合わせて指定してください / use --to with --from",
                    file=sys.stderr,
                )
                return EXIT_INPUT
            period = Period.month(*args.month)
        else:
            period = Period.days(args.first, args.last or args.first)
        dims = parse_dimensions(str(args.by).split(","))
        db = Database(_database_url(args))
        try:
            with db.session() as session:
                report = build_report(session, period=period, dimensions=dims)
        finally:
            db.dispose()
    except MadoguchiError as exc:
        print(f"{exc.message} ({exc.error_id}: {exc.data})", file=sys.stderr)
        return EXIT_INPUT
    if args.format == "json":
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(report))
    return 0


if __name__ == "__main__":
    root = argparse.ArgumentParser(prog="madoguchi")
    register(root.add_subparsers(dest="command", required=True))
    parsed = root.parse_args()
    sys.exit(parsed.handler(parsed))
