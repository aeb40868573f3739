"""Generate a month of events into SQLite and time the monthly KPI report (not a test).

Run: PYTHONPATH=. python -m tests.cms_kpi.bench_month [calls] [db-path]
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from cms.events import PAYLOADS, EventType
from cms.kpi.grouping import Period
from cms.kpi.report import build_report
from cms.models import ContactEvent
from realtime import migrate
from realtime.db import Database
from realtime.timeutil import utcnow
from tests.cms_kpi.builders import Journal, jst

FIRST = dt.date(2026, 10, 1)
DAYS = 31


def _month(calls: int, seed: int = 1) -> Journal:
    rnd = random.Random(seed)
    j = Journal()
    per_day = calls // DAYS
    for d in range(DAYS):
        day = FIRST + dt.timedelta(days=d)
        for n in range(per_day):
            at = jst(day, 9) + dt.timedelta(seconds=rnd.uniform(0, 8 * 3600))
            cid = str(uuid.uuid4())
            agent = f"op{rnd.randrange(40)}"
            roll = rnd.random()
            line = "0345662466" if roll < 0.1 else "0339811111"
            if roll > 0.92:
                j.call(cid, at, line=line, abandon_after=rnd.uniform(0, 90))
                continue
            wait = rnd.expovariate(1 / 12)
            j.call(
                cid,
                at,
                line=line,
                wait=wait,
                talk=rnd.uniform(30, 240),
                hold=rnd.choice([0, 0, 0, 20]),
                agent=agent,
                wrapup=rnd.uniform(10, 90),
                work_type=rnd.choice(["inquiry"] * 4 + ["switchboard"]),
                section=f"s{rnd.randrange(30)}",
            )
            answered = at + dt.timedelta(seconds=5 + wait)
            j.add(EventType.AGENT_OFFERED, answered, cid, agent=agent, waited_s=wait)
            j.add(
                EventType.RECORDING_STORED,
                answered + dt.timedelta(minutes=5),
                cid,
                recording_id=f"R{n}",
                duration_s=100,
            )
            for k, state in enumerate(("offered", "on_call", "wrap_up", "ready")):
                j.presence(
                    agent,
                    answered + dt.timedelta(seconds=k * 60),
                    EventType.AGENT_STATE_CHANGED,
                    state,
                )
        for _ in range(per_day // 20):
            at = jst(day, 0) + dt.timedelta(seconds=rnd.uniform(0, 86400))
            j.item(str(uuid.uuid4()), at, reply_after=dt.timedelta(hours=rnd.uniform(1, 30)))
    return j


def _insert(db: Database, journal: Journal) -> int:
    table: Table = ContactEvent.__table__  # type: ignore[attr-defined]
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for e in journal.events:
        payload = PAYLOADS[e.type].model_validate(dict(e.payload)).model_dump(mode="json")
        rows.append(
            {
                "event_id": e.event_id,
                "type": e.type.value,
                "contact_id": e.contact_id,
                "channel": e.channel.value if e.channel else None,
                "occurred_at": e.occurred_at,
                "recorded_at": now,
                "line": e.line,
                "queue": e.queue,
                "agent": e.agent,
                "source": "import",
                "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
            }
        )
    with db.engine.begin() as conn:
        for i in range(0, len(rows), 20000):
            conn.execute(table.insert(), rows[i : i + 20000])
    return len(rows)


def main(argv: list[str]) -> int:
    calls = int(argv[1]) if len(argv) > 1 else 17000
    path = Path(argv[2]) if len(argv) > 2 else Path("/tmp/kpi-bench.sqlite3")
    url = f"sqlite:///{path}"
    if not path.exists():
        migrate.upgrade(url)
        db = Database(url)
        print("events inserted:", _insert(db, _month(calls)))
    else:
        db = Database(url)
    period = Period.days(FIRST, FIRST + dt.timedelta(days=DAYS - 1))
    for by in (("period",), ("day",), ("weekday", "hour")):
        with db.session() as session:
            t0, c0 = time.perf_counter(), time.process_time()
            report = build_report(session, period=period, dimensions=by)
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
        d = report.diagnostics
        print(
            f"by={','.join(by)}: {took:.2f} s wall, {cpu:.2f} s CPU, "
            f"contact events {d.events_read}, contacts {d.contacts_in_period}"
        )
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
