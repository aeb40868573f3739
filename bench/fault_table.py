"""The fault table (N-REL-1): run the fault suite and print one markdown row per fault.

Usage: PYTHONPATH=. python bench/fault_table.py [--results FILE] [pytest args...]

Runs ``pytest tests/faults`` with ``MADOGUCHI_FAULT_RESULTS`` set; each fault test fills in a
row (``tests/faults/conftest.py``: fault, what was injected, what detected it, the recovery
time, the invariants checked) and the session writes them as JSON. With ``--results FILE`` an
earlier run's JSON is printed instead of running the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def run_suite(extra: list[str]) -> tuple[list[dict[str, Any]], int, float]:
    """Run the fault suite; its rows, pytest's exit code and the wall time."""
    with tempfile.TemporaryDirectory(prefix="madoguchi-faults-") as folder:
        results = Path(folder) / "faults.json"
        env = dict(os.environ, PYTHONPATH=str(REPO), MADOGUCHI_FAULT_RESULTS=str(results))
        began = time.monotonic()
        code = subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/faults",
                *extra,
            ],
            cwd=REPO,
            env=env,
        )
        took = time.monotonic() - began
        rows = json.loads(results.read_text(encoding="utf-8")) if results.exists() else []
    return rows, code, took


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a markdown table."""
    lines = [
        "| fault | what was injected | detected by | recovery time | invariants held |",
        "|---|---|---|---:|---|",
    ]
    for row in sorted(rows, key=lambda r: str(r["test"])):
        recovery = row.get("recovery_s")
        took = f"{recovery:.2f} s" if isinstance(recovery, (int, float)) else "—"
        held = ", ".join(row.get("invariants") or []) or "none checked (test failed?)"
        lines.append(
            f"| {row['fault']} | {row['injected']} | {row['detected_by']} | {took} | {held} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--results", type=Path, help="print this earlier run's JSON instead")
    args, extra = parser.parse_known_args(argv)
    if args.results is not None:
        print(table(json.loads(args.results.read_text(encoding="utf-8"))))
        return 0
    rows, code, took = run_suite(extra)
    print()
    print(table(rows))
    print()
    print(f"{len(rows)} faults, pytest exit code {code}, {took:.0f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
