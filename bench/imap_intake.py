"""Benchmark of the IMAP intake: N messages taken from a real Dovecot, parsed, stored and queued.

Usage: PYTHONPATH=. python bench/imap_intake.py [--count 1000] [--database-url URL]

Starts Dovecot on loopback (Debian's dovecot-imapd; run as root), APPENDs ``--count`` varied
Japanese citizen mails (ISO-2022-JP, Shift_JIS, EUC-JP, UTF-8, HTML-only, forwards, fax TIFFs),
then times one ``drain`` of the intake: UID SEARCH, UID FETCH of each message, encryption of the
raw copy into the media store, parse and triage, and the one-transaction commit (row, sealed
parsed record, contact event, cursor). Memory: the process's maximum resident set size, and with
``--tracemalloc`` the peak of Python allocations during the drain (time a run without it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from inbox.intake.subsystem import build_intake
from realtime import migrate
from realtime.db import Database
from tests.inbox_intake import dovecot
from tests.inbox_intake.conftest import USERS, count_messages, mailbox_config
from tests.inbox_intake.mails import varied
from tests.support.app import make_settings


def run(*, count: int, database_url: str | None, trace: bool) -> dict[str, float | int | str]:
    """Measure and return the numbers."""
    mails = varied(count, tag="bench")
    data = Path(tempfile.mkdtemp(prefix="madoguchi-bench-imap-"))
    try:
        with dovecot.dovecot_server(USERS) as server:
            started = time.perf_counter()
            server.append("public", mails)
            append_s = time.perf_counter() - started
            settings = make_settings(
                data, database_url, imap_mailboxes=[mailbox_config(server, "public")]
            )
            migrate.upgrade(settings.effective_database_url)
            db = Database(settings.effective_database_url)
            intake = build_intake(settings, db=db)
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            taken = asyncio.run(intake.drain())
            drain_s = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if trace else 0
            tracemalloc.stop()
            stored = count_messages(db, "public")
            by_state = dict(intake.workers[0].stats.by_state)
            db.dispose()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return {
        "messages": count,
        "taken": taken,
        "stored": stored,
        "by_state": json.dumps(by_state, sort_keys=True),
        "raw_mib": round(sum(len(m) for m in mails) / 2**20, 2),
        "append_s": round(append_s, 2),
        "drain_s": round(drain_s, 2),
        "messages_per_s": round(taken / drain_s, 1),
        "ms_per_message": round(1000 * drain_s / max(taken, 1), 2),
        "tracemalloc_peak_mib": round(peak / 2**20, 2) if trace else "not traced",
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "database": "postgresql" if database_url else "sqlite",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace Python allocations for the peak (slows the run about 2x: time it without)",
    )
    args = parser.parse_args()
    if not dovecot.available():
        print("Dovecot is not installed or this is not root", file=sys.stderr)
        return 2
    result = run(count=args.count, database_url=args.database_url, trace=args.tracemalloc)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["stored"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
