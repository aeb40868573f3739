"""PostgreSQL restarted mid-operation: a caller hangs up and another calls while the database is
down; every call still ends once in the log, and the outage is alerted (stored once it is back)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from realtime import migrate
from realtime.db import Database
from realtime.monitoring import incidents
from realtime.settings import Settings
from tests.callpath import harness
from tests.callpath.harness import running, seed, until
from tests.faults.invariants import (
    FaultRecord,
    alerts,
    assert_no_duplicate_pops,
    assert_one_end_per_call,
)
from tests.faults.pg import cluster
from tests.faults.runner import scenario
from tests.support.app import make_settings


@pytest.mark.req("N-REL-1")
@scenario
async def test_postgresql_restart_mid_call_loses_no_call_end_and_alerts(
    tmp_path: Path,
    callpath_db: Path,
    fault_record: FaultRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fault_record.fault = "PostgreSQL restarted mid-operation"
    fault_record.injected = "fast shutdown of PostgreSQL during a call; a hang-up and a new call"
    with cluster() as pg:
        url = pg.database()
        await asyncio.to_thread(migrate.upgrade, url)
        database = Database(url)
        seed(database, make_settings(tmp_path / "seed", url))
        database.dispose()

        def on_postgres(data_dir: Path, _sqlite: str, **extra: Any) -> Settings:
            return make_settings(data_dir, url, **extra)

        # The harness runs on a copy of a SQLite template; this run uses the cluster instead.
        monkeypatch.setattr(harness, "make_settings", on_postgres)
        async with running(tmp_path, callpath_db) as rig:
            faults = incidents.of(rig.ctx)
            op1 = await rig.desk("op1")
            await op1.ready()
            call = await rig.call(digits="1")
            contact = await rig.contact_of(call)
            pops = [(op1.username, (await op1.pop())["contact_id"])]
            await op1.accept()
            await rig.event("contact.answered", contact)
            await asyncio.to_thread(pg.stop)
            await call.hangup()  # the end is written while the database is down
            later = await rig.call(digits="1")
            await until(lambda: faults.is_open("database", "main"), within=30, what="the alert")
            await asyncio.to_thread(pg.start)
            await until(
                lambda: not faults.is_open("database", "main"), within=60, what="the recovery"
            )
            incident = next(i for i in faults.history if i.kind == "database")
            fault_record.detected_by = "database probe and retried log writes -> database"
            fault_record.recovery_s = incident.recovery_s
            await rig.event("contact.ended", contact, within=60)
            late = await rig.contact_of(later)
            await rig.event("queue.joined", late, within=60)
            await later.hangup()
            await rig.event("contact.abandoned", late, within=60)
            assert_one_end_per_call(rig.ctx.db, at_least=2)
            fault_record.held("one end per call")
            pending = [(op1.username, p["contact_id"]) for p in op1.socket.pending("screen_pop")]
            assert_no_duplicate_pops(pops + pending)
            fault_record.held("no duplicate pop")
            await until(lambda: bool(alerts(rig.ctx.db, "database")), what="the stored alert")
            stored = alerts(rig.ctx.db, "database")
            assert len(stored) == 1
            assert stored[0].cleared_at is not None
            fault_record.held("alert raised (stored after the outage) and cleared")
