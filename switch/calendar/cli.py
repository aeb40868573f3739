"""``madoguchi calendar ...``: inspect the business calendar from the command line.

``register`` adds a top-level ``calendar`` group; ``add_commands`` adds the same subcommands to
any other group (e.g. under ``switch``). All commands use ``default_config()`` plus the closures
and emergency state given as options, and print JSON (decide) or one line per day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from realtime.cliutil import run_group
from realtime.errors import MadoguchiError
from switch.calendar.holidays import public_holidays
from switch.calendar.model import (
    MAIN_DID,
    CalendarConfig,
    Closure,
    EmergencyState,
    Service,
    default_config,
)
from switch.calendar.service import business_days, decide, timezone_of

Handler = Callable[[argparse.Namespace], int]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {text}") from exc


def _moment(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日時は ISO 8601 で指定してください: {text}") from exc


def _closure(text: str) -> tuple[dt.date, str]:
    day, _, reason = text.partition(":")
    return _date(day), reason or "臨時休業"


def _config(args: argparse.Namespace) -> CalendarConfig:
    config = default_config()
    services = frozenset(
        {Service.SWITCHBOARD, Service.LIVE} if args.closure_live else {Service.SWITCHBOARD}
    )
    closures = [Closure(date=day, reason=reason, services=services) for day, reason in args.closure]
    config = config.with_closures(*closures)
    if args.emergency:
        state = EmergencyState(
            active=True, message_key=args.emergency, overflow_number=args.overflow
        )
        config = config.with_emergency(state)
    return config


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _decide(args: argparse.Namespace) -> int:
    config = _config(args)
    at: dt.datetime = args.at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone_of(config.timezone))
    decision = decide(config, did=args.did, at=at)
    body: dict[str, Any] = asdict(decision)
    print(json.dumps(body, ensure_ascii=False, indent=2, default=_json_default))
    return 0


def _holidays(args: argparse.Namespace) -> int:
    for day, name in public_holidays(args.year).items():
        print(f"{day.isoformat()} {name}")
    return 0


def _business_days(args: argparse.Namespace) -> int:
    days = business_days(_config(args), args.start, args.end)
    for day in days:
        print(day.isoformat())
    print(f"{len(days)} 営業日", file=sys.stderr)
    return 0


def _guarded(handler: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        try:
            result = handler(args)
        except MadoguchiError as exc:
            print(f"{exc.error_id}: {exc.message} {exc.data or ''}".rstrip(), file=sys.stderr)
            return 2
        return result

    return run


def _config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--closure",
        type=_closure,
        action="append",
        default=[],
        metavar="YYYY-MM-DD[:理由]",
        help="an administrator's closure (repeatable); stops the switchboard",
    )
    parser.add_argument(
        "--closure-live", action="store_true", help="the closures also stop live service"
    )
    parser.add_argument("--emergency", metavar="MESSAGE_KEY", help="emergency mode (N-BCP-1)")
    parser.add_argument("--overflow", metavar="NUMBER", help="emergency overflow number")


def add_commands(group: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``decide``, ``holidays`` and ``business-days`` to ``group``."""
    d = group.add_parser("decide", help="what is open on a line at a moment")
    d.add_argument("--did", default=MAIN_DID, help="dialled number (default: main line)")
    d.add_argument(
        "--at", type=_moment, help="ISO 8601 moment; without offset it is Japan time (default now)"
    )
    _config_options(d)
    d.set_defaults(handler=_guarded(_decide))

    h = group.add_parser("holidays", help="Japanese public holidays of a year")
    h.add_argument("--year", type=int, required=True)
    h.set_defaults(handler=_guarded(_holidays))

    b = group.add_parser("business-days", help="city business days in a date range (inclusive)")
    b.add_argument("--start", type=_date, required=True)
    b.add_argument("--end", type=_date, required=True)
    _config_options(b)
    b.set_defaults(handler=_guarded(_business_days))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the top-level ``calendar`` group to the ``madoguchi`` command."""
    p = sub.add_parser("calendar", help="business calendar: hours, holidays, closures")
    group = p.add_subparsers(dest="calendar_command", required=True)
    add_commands(group)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the calendar commands on their own (``python -m switch.calendar.cli``)."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
