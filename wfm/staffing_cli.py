"""``madoguchi staffing ...``: Erlang staffing tables and intraday profiles (F-2.3.1, F-2.3.3)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from realtime.errors import MadoguchiError
from wfm.intraday.profile import SLOTS, WEEKDAYS, read_profile_csv, slot_label
from wfm.staffing.erlang import AbandonedCounting, erlang_a_metrics, erlang_c_metrics
from wfm.staffing.requirement import (
    StaffingTarget,
    required_agents_erlang_a,
    required_agents_erlang_c,
)
from wfm.staffing.table import Interval, format_staffing_table, staffing_table

EXIT_INPUT = 2


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"割合は % の数で指定してください: {text!r}") from exc
    return value / 100.0


def _weekday(text: str) -> int:
    key = text.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise argparse.ArgumentTypeError(f"曜日は mon〜sun で指定してください: {text!r}")
    return WEEKDAYS.index(key)


def _target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--aht", type=float, default=180.0, help="average handling time, s")
    parser.add_argument("--within", type=float, default=15.0, help="answer threshold, s (15)")
    parser.add_argument("--target", type=_percent, default=0.80, help="service level %% (80)")
    parser.add_argument("--max-occupancy", type=_percent, default=0.85, help="%% (85)")
    parser.add_argument(
        "--max-abandon", type=_percent, default=0.10, help="Erlang A abandonment limit %% (10)"
    )
    parser.add_argument("--shrinkage", type=_percent, default=0.30, help="%% (30)")
    parser.add_argument("--patience", type=float, help="mean caller patience, s (Erlang A)")
    parser.add_argument(
        "--counting",
        choices=[c.value for c in AbandonedCounting],
        default=AbandonedCounting.OFFERED.value,
        help="how abandoned calls count in the service level (default: offered)",
    )


def _target(args: argparse.Namespace) -> StaffingTarget:
    return StaffingTarget(
        service_level=args.target,
        answer_within_s=args.within,
        max_occupancy=args.max_occupancy,
        max_abandon_rate=args.max_abandon,
        shrinkage=args.shrinkage,
        abandoned_counting=AbandonedCounting(args.counting),
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``staffing`` command group."""
    parser = sub.add_parser("staffing", help="Erlang C/A staffing and intraday profiles (F-2.3)")
    group = parser.add_subparsers(dest="staffing_command", required=True)

    er = group.add_parser("erlang", help="staffing table for calls per interval, AHT and target")
    er.add_argument("--calls", type=float, required=True, help="calls offered in the interval")
    er.add_argument("--period-min", type=float, default=30.0, help="interval, minutes (30)")
    er.add_argument("--rows", type=int, default=6, help="agent counts to list (6)")
    _target_arguments(er)
    er.set_defaults(handler=_erlang)

    pr = group.add_parser("profile", help="weekday x half-hour profile from a counts CSV")
    pr.add_argument("--csv", type=Path, required=True, help="hourly or half-hourly counts CSV")
    pr.add_argument("--weekday", type=_weekday, help="show one weekday (mon..sun)")
    pr.add_argument("--daily-calls", type=float, help="also staff this day total per half hour")
    _target_arguments(pr)
    pr.set_defaults(handler=_profile)


def _fail(exc: MadoguchiError) -> int:
    print(f"エラー ({exc.error_id}): {exc.message}", file=sys.stderr)
    return EXIT_INPUT


def _erlang(args: argparse.Namespace) -> int:
    try:
        target = _target(args)
        period_s = args.period_min * 60.0
        c = required_agents_erlang_c(
            calls=args.calls, period_s=period_s, aht_s=args.aht, target=target
        )
        a = (
            required_agents_erlang_a(
                calls=args.calls,
                period_s=period_s,
                aht_s=args.aht,
                patience_s=args.patience,
                target=target,
            )
            if args.patience is not None
            else None
        )
        load = args.calls * args.aht / period_s
        print(
            f"呼数 {args.calls:g} / {args.period_min:g}分, AHT {args.aht:g}秒, "
            f"負荷 {load:.2f} アーラン, 目標 {target.service_level:.0%} を "
            f"{target.answer_within_s:g}秒以内 ({target.abandoned_counting.value})"
        )
        print(f"Erlang C: 必要 {c.agents} 人, 配置 {c.scheduled} 人 (シュリンケージ込み)")
        if a is not None:
            print(
                f"Erlang A (待ち許容 {args.patience:g}秒): 必要 {a.agents} 人, "
                f"配置 {a.scheduled} 人, 放棄率 {a.metrics.p_abandon:.1%}"
            )
        first = max(1, min(c.agents, a.agents if a else c.agents) - 2)
        print(" 人数 | C応答率 C待ち率 C-ASA秒 稼働率 | A応答率 A放棄率 A-ASA秒")
        for n in range(first, first + max(1, args.rows)):
            mc = erlang_c_metrics(
                calls=args.calls,
                period_s=period_s,
                aht_s=args.aht,
                agents=n,
                answer_within_s=target.answer_within_s,
                counting=target.abandoned_counting,
            )
            line = (
                f"{n:5d} | {mc.service_level:7.1%} {mc.p_wait:7.1%} "
                f"{mc.asa_s:7.1f} {mc.occupancy:6.1%} |"
            )
            if args.patience is not None:
                ma = erlang_a_metrics(
                    calls=args.calls,
                    period_s=period_s,
                    aht_s=args.aht,
                    agents=n,
                    answer_within_s=target.answer_within_s,
                    patience_s=args.patience,
                    counting=target.abandoned_counting,
                )
                line += f" {ma.service_level:7.1%} {ma.p_abandon:7.1%} {ma.asa_s:7.1f}"
            print(line)
    except MadoguchiError as exc:
        return _fail(exc)
    return 0


def _profile(args: argparse.Namespace) -> int:
    try:
        profile = read_profile_csv(args.csv)
        weekdays: Sequence[int] = (
            [args.weekday] if args.weekday is not None else sorted(profile.shares)
        )
        used = [
            s for s in range(SLOTS) if any(profile.for_weekday(w)[s] > 0 for w in weekdays)
        ] or list(range(SLOTS))
        print("時間帯 " + " ".join(f"{WEEKDAYS[w]:>6}" for w in weekdays))
        for s in used:
            shares = " ".join(f"{profile.for_weekday(w)[s]:6.1%}" for w in weekdays)
            print(f"{slot_label(s)}  {shares}")
        days = ", ".join(f"{WEEKDAYS[w]} {n}日" for w, n in profile.sample_days.items())
        print(f"標本日数: {days}")
        if args.daily_calls is not None:
            weekday = weekdays[0]
            calls = profile.split(total=args.daily_calls, weekday=weekday)
            rows = staffing_table(
                intervals=[Interval(slot_label(s), calls[s], args.aht) for s in used],
                target=_target(args),
                patience_s=args.patience,
            )
            print(f"\n{WEEKDAYS[weekday]} 1日 {args.daily_calls:g} 呼の30分別要員")
            print(format_staffing_table(rows))
    except MadoguchiError as exc:
        return _fail(exc)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``staffing ...`` on its own (the lead wires ``register`` into ``madoguchi``)."""
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
