"""Precision and recall of the personal-data guard (crm/pii) on the labelled notes.

Run from the repository root: ``PYTHONPATH=. python bench/pii_eval.py``. Prints a Markdown table
per split (dev: used while developing; heldout: written before tuning, evaluated only at the end)
and the scan time for a 500-character note.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

from crm.pii.detector import scan
from crm.pii.evaluation import Example, evaluate, load_examples
from crm.pii.models import PiiType

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "crm" / "pii_eval.jsonl"


def _table(examples: list[Example], split: str) -> str:
    part = [e for e in examples if e.split == split]
    scores = evaluate(part)
    negatives = [e for e in part if not e.spans]
    clean = sum(1 for e in negatives if not scan(e.text))
    rows = [
        f"**{split}**: {len(part)} notes, {len(negatives)} without personal data "
        f"({clean} of them pass with no finding)",
        "",
        "| type | gold spans | findings | precision | recall | exact span |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in PiiType:
        s = scores[kind]
        rows.append(
            f"| {kind.value} | {s.gold} | {s.findings} | {s.precision:.3f} | {s.recall:.3f} "
            f"| {s.exact_share:.3f} |"
        )
    return "\n".join(rows)


def _timing(examples: list[Example]) -> str:
    note = ""
    texts = [e.text for e in examples]
    i = 0
    while len(note) < 500:
        note += texts[i % len(texts)]
        i += 1
    note = note[:500]
    scan(note)
    runs = []
    for _ in range(200):
        begin = time.perf_counter()
        scan(note)
        runs.append(time.perf_counter() - begin)
    per_line = []
    for text in texts:
        begin = time.perf_counter()
        scan(text)
        per_line.append(time.perf_counter() - begin)
    return (
        f"scan time, 500-character note: median {statistics.median(runs) * 1e3:.3f} ms, "
        f"max {max(runs) * 1e3:.3f} ms; per labelled note: mean "
        f"{statistics.mean(per_line) * 1e6:.0f} µs"
    )


def _show_errors(examples: list[Example], split: str) -> None:
    scores = evaluate([e for e in examples if e.split == split])
    for kind, s in scores.items():
        for miss in s.misses:
            print(f"MISS {kind.value}: {miss}")
        for alarm in s.false_alarms:
            print(f"FALSE {kind.value}: {alarm}")


def main() -> None:
    """Print the evaluation tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", action="append", help="dev, heldout (default: both)")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    examples = load_examples(args.data)
    splits = args.split or ["dev", "heldout"]
    print(f"python {platform.python_version()}, {platform.machine()}")
    for split in splits:
        print()
        print(_table(examples, split))
        if args.errors:
            _show_errors(examples, split)
    print()
    print(_timing(examples))


if __name__ == "__main__":
    main()
