"""Restore drill benchmark (SQLite): backup time, restore time, write latency idle vs during backup.

Usage: PYTHONPATH=. python bench/restore_drill.py [--base 20000] [--after 5000] [--dir PATH]

Writes ``--base`` contacts (each a contact event plus an audit entry, one transaction each) with
the journal off and then on (journal overhead), takes an online backup while a writer keeps
committing (latency during backup vs idle), writes ``--after`` more, then restores to the latest
point (base copy + journal replay) into a new folder and checks counts and hashes.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime import migrate
from realtime.backup.config import config_from_settings
from realtime.backup.service import restore, run_backup
from realtime.db import Database
from realtime.settings import load_settings
from tests.backup.conftest import db_state, write_contacts


def timed_writes(db: Database, count: int, tag: str) -> list[float]:
    out = []
    for i in range(count):
        start = time.perf_counter()
        write_contacts(db, 1, tag=f"{tag}-{i}")
        out.append(time.perf_counter() - start)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=int, default=20000)
    parser.add_argument("--after", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="madoguchi-drill-"))
    (work / "target").mkdir(parents=True, exist_ok=True)
    settings = load_settings(
        data_dir=work / "data",
        backup_target=str(work / "target"),
        backup_key=base64.b64encode(os.urandom(32)).decode(),
    )
    url = settings.effective_database_url
    migrate.upgrade(url)
    db = Database(url)
    config = config_from_settings(settings)
    write_contacts(db, args.base, tag="base")
    idle_off = timed_writes(db, 300, "idle-off")
    run_backup(config)  # turns the journal on
    idle_on = timed_writes(db, 300, "idle-on")

    during: list[float] = []
    done = threading.Event()

    def writer() -> None:
        n = 0
        while not done.is_set():
            during.extend(timed_writes(db, 1, f"during-{n}"))
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    start = time.perf_counter()
    report = run_backup(config)
    backup_s = time.perf_counter() - start
    done.set()
    thread.join()
    write_contacts(db, args.after, tag="after")
    live = db_state(url)
    db.dispose()
    out = work / f"restored-{time.time_ns()}"
    restored = restore(config, to=None, target_dir=out, local_journal=config.journal_dir)
    same = db_state(f"sqlite:///{out / 'madoguchi.sqlite3'}") == live
    print(f"database: {live[0]} contacts, {report.bytes_stored / 1e6:.1f} MB stored (encrypted)")
    print(f"backup with a concurrent writer: {backup_s:.2f} s")
    for name, values in (("idle, journal off", idle_off), ("idle, journal on", idle_on),
                         ("during backup", during)):  # fmt: skip
        p50, p99 = pct(values, 0.5), pct(values, 0.99)
        print(f"write latency {name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, n={len(values)}")
    print(
        f"restore: {restored.seconds:.2f} s ({restored.transactions_replayed} transactions "
        f"replayed, {restored.transactions_replayed / max(restored.seconds, 1e-9):.0f}/s overall)"
    )
    mean_ms = statistics.mean(idle_on) * 1000
    print(f"restored state equals live state: {same}; mean write {mean_ms:.2f} ms")


if __name__ == "__main__":
    main()
