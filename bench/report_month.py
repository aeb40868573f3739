"""Time the monthly report over a year of events on SQLite, and the CSV export's memory.

Run: PYTHONPATH=. python bench/report_month.py [calls-per-month] [db-path]
Builds the database once (fiscal year 2025: April 2025 – March 2026, generated like
tests/cms_kpi/bench_month.py), then: the first rollup refresh, an incremental refresh, the
monthly workbook (facts read from the rollups, laid out, saved), the annual workbook, and the
export of every table as CSV in a child process (its peak RSS).
"""

from __future__ import annotations

import calendar
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from cms.models import ContactEvent
from cms.reports.periods import fiscal_span, month_span
from cms.reports.rollup import refresh_rollups
from cms.reports.workbook import make_workbook
from realtime import migrate
from realtime.db import Database
from tests.cms_kpi import bench_month

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _build(db: Database, calls: int) -> None:
    for i in range(12):
        year, month = 2025 + (3 + i) // 12, (3 + i) % 12 + 1
        bench_month.FIRST = dt.date(year, month, 1)
        bench_month.DAYS = calendar.monthrange(year, month)[1]
        n = bench_month._insert(db, bench_month._month(calls, seed=i + 1))
        print(f"{year}-{month:02d}: {n} events", flush=True)


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - t0:.2f} s", flush=True)
    return result


def main(argv: list[str]) -> int:
    calls = int(argv[1]) if len(argv) > 1 else 20000
    path = Path(argv[2]) if len(argv) > 2 else Path(tempfile.gettempdir()) / "report-bench.sqlite3"
    url = f"sqlite:///{path}"
    fresh = not path.exists()
    migrate.upgrade(url)  # a kept database from an older version gets the newer tables too
    db = Database(url)
    if fresh:
        _build(db, calls)
    with db.session() as s:
        events = s.exec(select(func.count()).select_from(ContactEvent)).one()
        print(f"events in the log: {events}")
        _timed("refresh (first or catch-up)", lambda: refresh_rollups(s, now=NOW))
        _timed("refresh (nothing new)", lambda: refresh_rollups(s, now=NOW))
    out = Path(tempfile.mkdtemp())
    for month in ((2025, 10), (2026, 3)):
        with db.session() as s:
            r = _timed(
                f"monthly workbook {month[0]}-{month[1]:02d}",
                lambda m=month: make_workbook(  # type: ignore[misc]
                    s, span=month_span(*m), out=out / "m.xlsx", now=NOW
                ),
            )
            print(f"  contacts {len(r.facts.facts)}, source {r.facts.source}")
    with db.session() as s:
        r = _timed(
            "annual workbook FY2025",
            lambda: make_workbook(s, span=fiscal_span(2025), out=out / "y.xlsx", now=NOW),
        )
        print(f"  contacts {len(r.facts.facts)}")
    db.dispose()
    t0 = time.perf_counter()
    code = (
        "import resource,sys;from cms.reports_cli import main_export;"
        "main_export(sys.argv[1], sys.argv[2]);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, url, str(out / "csv")],
        check=True,
        capture_output=True,
        text=True,
    )
    rss = done.stdout.strip().splitlines()[-1]
    print(
        f"CSV export: {time.perf_counter() - t0:.1f} s, peak RSS of the exporting process {rss} MiB"
    )
    size = sum(p.stat().st_size for p in (out / "csv").iterdir()) / 2**20
    print(f"  {size:.0f} MiB of CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
