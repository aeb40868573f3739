"""Leader election on its own: no leader means a clear 503, the lock's release means a leader;
the dialplan keeps a queued caller when the socket closes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import psycopg
import pytest

from switch.scaleout.election import LOCK_KEY, libpq_url
from tests.freeswitch_conf.conftest import ENV, make_dialplan
from tests.freeswitch_conf.dialplan_eval import Channel
from tests.scaleout.cluster import cluster
from tests.scaleout.test_failover import scenario


@pytest.mark.req("N-REL-1")
@scenario
async def test_without_a_leader_desk_commands_get_503_until_the_lock_is_free(
    tmp_path: Path, postgres_server: str, redis_url: str
) -> None:
    async with cluster(tmp_path, postgres_server=postgres_server, redis_url=redis_url) as c:
        # Someone else holds the leader lock: the process stays a follower.
        holder = await psycopg.AsyncConnection.connect(libpq_url(c.database_url), autocommit=True)
        try:
            cursor = await holder.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            assert (await cursor.fetchone()) == (True,)
            app = await c.start_app("a")
            assert await app.role() == "follower"
            ready = await app.readyz()
            assert ready["status"] == "ready"  # a follower serves HTTP and Socket.IO
            desk = await c.desk(app, "op1")
            refused = await desk.send("ready")
            assert refused["error"] == "switch-leader-unavailable"
            assert "主系" in refused["message"]
            response = await desk.browser.post_json("/api/callpath/agent/state", {"state": "ready"})
            assert response.status_code == 503
            assert response.json()["error"] == "switch-leader-unavailable"
        finally:
            await holder.close()  # the lock goes with the connection
        leader = await c.leader()
        assert leader is app
        assert (await desk.send("ready"))["callpath"]["state"] == "ready"


@pytest.mark.req("N-REL-1")
@scenario
async def test_leader_whose_lock_is_taken_stops_the_switch_and_leads_again_later(
    tmp_path: Path, postgres_server: str, redis_url: str
) -> None:
    async with cluster(tmp_path, postgres_server=postgres_server, redis_url=redis_url) as c:
        app = await c.start_app("a")
        assert (await c.leader()) is app
        url = libpq_url(c.database_url)
        rival = await psycopg.AsyncConnection.connect(url, autocommit=True)
        admin = await psycopg.AsyncConnection.connect(url, autocommit=True)
        try:
            # Cut the leader's lock connection and take the lock before it can win it back.
            cursor = await admin.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                (LOCK_KEY & 0xFFFFFFFF,),
            )
            (pid,) = await cursor.fetchone() or (None,)
            assert pid is not None
            await admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            taken = False
            while not taken:
                cursor = await rival.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
                taken = (await cursor.fetchone()) == (True,)
            # Fenced, not killed: the process serves on as a follower without the switch.
            assert await until_role(app, "follower")
            assert app.proc.poll() is None
            desk = await c.desk(app, "op1")
            assert (await desk.send("ready"))["error"] == "switch-leader-unavailable"
        finally:
            await rival.close()  # the lock is free again
            await admin.close()
        assert (await c.leader()) is app
        assert (await desk.send("ready"))["callpath"]["state"] == "ready"


async def until_role(app: Any, role: str) -> bool:
    """Wait for the process to report ``role`` in /readyz."""
    for _ in range(600):
        if await app.role() == role:
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.req("N-REL-1")
def test_degraded_context_parks_a_caller_that_had_joined_a_queue() -> None:
    dialplan = make_dialplan(ENV)
    queued = Channel(
        destination_number="degraded",
        context="madoguchi_degraded",
        variables={"madoguchi_queue_id": "q_tax", "madoguchi_contact_id": "c-1"},
    )
    assert dialplan.hunt(queued).pairs() == [
        ("set", "park_timeout=600:RECOVERY_ON_TIMER_EXPIRE"),
        ("park", ""),
    ]
    in_ivr = Channel(destination_number="degraded", context="madoguchi_degraded")
    assert "park" not in [app for app, _ in dialplan.hunt(in_ivr).pairs()]
    assert "playback" in [app for app, _ in dialplan.hunt(in_ivr).pairs()]
