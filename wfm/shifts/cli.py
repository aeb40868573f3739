"""``madoguchi shifts ...``: solve a schedule from a JSON file; what-if by Erlang and simulation.

    madoguchi shifts solve plan.json --out schedule.csv --time-limit 20
    madoguchi shifts whatif whatif.json --seeds 5

``plan.json``: {"patterns": [...] or "generate": {"open": "08:30", "close": "17:15"},
"contracts": {"agent": {...}}, plus "requirement"/"first_slot" or "forecast" as in the API}.
``whatif.json``: {"base": {...}, "change": {...}} as in ``POST /api/wfm/whatif``.
Input errors exit 2 with the error id and the reason in Japanese.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from realtime.cliutil import run_group
from realtime.errors import MadoguchiError
from wfm.shifts.errors import ShiftInputInvalid
from wfm.shifts.parse import (
    contract_from_json,
    patterns_from_json,
    requirement_from_json,
    weights_from_json,
)
from wfm.shifts.patterns import generate_patterns, parse_hhmm
from wfm.shifts.solver import solve_schedule
from wfm.whatif.compare import what_if
from wfm.whatif.parse import base_from_json, change_from_json

EXIT_INPUT = 2


def _load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ShiftInputInvalid(
            "JSON ファイルを読み込めません。", field="file", value=path
        ) from exc
    if not isinstance(data, dict):
        raise ShiftInputInvalid("JSON はオブジェクトにしてください。", field="file", value=path)
    return data


def _solve(args: argparse.Namespace) -> int:
    body = _load(args.file)
    gen = body.get("generate")
    if isinstance(gen, dict):
        patterns = generate_patterns(
            open_min=parse_hhmm(str(gen.get("open", "")), field="open"),
            close_min=parse_hhmm(str(gen.get("close", "")), field="close"),
        )
    else:
        patterns = patterns_from_json(body)
    raw = body.get("contracts")
    if not isinstance(raw, dict) or not raw:
        raise ShiftInputInvalid("contracts は担当者ID→契約のオブジェクトです。", field="contracts")
    contracts = [
        contract_from_json(str(k), v if isinstance(v, dict) else {}) for k, v in raw.items()
    ]
    result = solve_schedule(
        requirement=requirement_from_json(body), contracts=contracts, patterns=patterns,
        weights=weights_from_json(body.get("weights") or {}), time_limit_s=args.time_limit,
    )  # fmt: skip
    rows = [
        [a.agent_id, a.day.isoformat(), a.pattern.code, a.pattern.label(), a.pattern.work_min]
        for a in result.assignments
    ]
    if args.out:
        with Path(args.out).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(["担当者", "日付", "パターン", "勤務", "労働分"])
            writer.writerows(rows)
    print(
        f"status={result.status} assignments={len(rows)} under_min={result.under_min} "
        f"over_min={result.over_min} wall_s={result.wall_s:.1f}"
    )
    for warning in result.warnings:
        print(f"注意: {warning}")
    return 0


def _whatif(args: argparse.Namespace) -> int:
    body = _load(args.file)
    base_raw, change_raw = body.get("base"), body.get("change", {})
    if not isinstance(base_raw, dict) or not isinstance(change_raw, dict):
        raise ShiftInputInvalid("base と change はオブジェクトです。", field="base")
    result = what_if(
        base=base_from_json(base_raw), change=change_from_json(change_raw),
        seeds=range(1, args.seeds + 1),
    )  # fmt: skip
    out = {
        name: {
            "erlang_service_level": round(o.erlang_service_level, 4),
            "sim_service_level": round(o.sim_service_level, 4),
            "erlang_abandon_rate": round(o.erlang_abandon_rate, 4),
            "sim_abandon_rate": round(o.sim_abandon_rate, 4),
            "gap_points": round(o.gap_points, 2),
        }
        for name, o in (("before", result.before), ("after", result.after))
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = handler(args)
        except MadoguchiError as exc:
            print(f"{exc.error_id}: {exc.message}", file=sys.stderr)
            return EXIT_INPUT
        return code

    return run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``shifts`` group (solve, whatif)."""
    p = sub.add_parser("shifts", help="shift schedules (CP-SAT) and what-if analysis")
    g = p.add_subparsers(dest="shifts_command", required=True)
    s = g.add_parser("solve", help="solve a schedule from a JSON plan")
    s.add_argument("file")
    s.add_argument("--out", help="write the assignments as CSV (UTF-8 with BOM)")
    s.add_argument("--time-limit", type=float, default=20.0, help="solver seconds (20)")
    s.set_defaults(handler=_guarded(_solve))
    w = g.add_parser("whatif", help="Erlang and the ACD simulation for a base and a change")
    w.add_argument("file")
    w.add_argument("--seeds", type=int, default=5, choices=range(1, 21), metavar="1-20")
    w.set_defaults(handler=_guarded(_whatif))


if __name__ == "__main__":
    sys.exit(run_group(register))
