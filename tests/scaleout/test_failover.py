"""Two app processes, one PostgreSQL, one Redis, one FreeSWITCH stand-in: one switch leader,
desk commands forwarded from the follower, and a leader killed with a caller waiting."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scaleout.cluster import cluster

TAKEOVER_LIMIT_S = 20.0
"""Generous on a loaded two-core machine; bench/failover.py reports the real figures."""
TERMINAL = ("contact.ended", "contact.abandoned")


def scenario(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on its own loop and thread, with a deadline so a hang fails it."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        failures: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(asyncio.wait_for(test(*args, **kwargs), 300))
            except BaseException as exc:  # handed to the test's thread below
                failures.append(exc)

        thread = threading.Thread(target=target, name="scaleout-scenario")
        thread.start()
        thread.join()
        if failures:
            raise failures[0]

    run.__signature__ = inspect.signature(test)  # type: ignore[attr-defined]
    return run


@pytest.mark.req("N-REL-1")
@scenario
async def test_one_leader_forwards_desk_commands_and_a_killed_leader_keeps_the_waiting_caller(
    tmp_path: Path, postgres_server: str, redis_url: str
) -> None:
    async with cluster(tmp_path, postgres_server=postgres_server, redis_url=redis_url) as c:
        first, second = await asyncio.gather(c.start_app("a"), c.start_app("b"))
        leader = await c.leader()
        follower = second if leader is first else first
        assert await c.roles() == {leader.name: "leader", follower.name: "follower"}

        # Desks on the follower: commands go to the leader, pushes come back through Redis.
        op2 = await c.desk(follower, "op2")
        op1 = await c.desk(follower, "op1")
        refused = await op1.send("accept")
        assert refused["error"] == "callpath-no-offer"  # the leader's own error
        assert (await op2.send("ready"))["callpath"]["state"] == "ready"
        assert (await op2.state())["state"] == "ready"  # read from the leader too
        first_call = await c.call("2")
        pop = await op2.push("screen_pop")
        contact1 = await c.contact_of(first_call)
        assert pop["contact_id"] == contact1
        assert (await op2.send("accept"))["callpath"]["state"] == "on_call"
        assert (await c.event("contact.answered", contact1)).agent == "op2"
        # Feature commands are forwarded too: only the leader knows op2 is on this call.
        premature = await op2.send("transfer", {"action": "complete"})
        assert premature["error"] == "transfer-not-consulting"
        await first_call.wait(1).hangup()
        await c.event("contact.ended", contact1, by="caller")
        assert (await op1.send("not_ready", {"reason": "break"}))["callpath"][
            "state"
        ] == "not_ready"

        # Nobody is ready: the next caller waits in the queue when the leader is killed.
        waiting = await c.call("2")
        contact2 = await c.contact_of(waiting)
        joined = await c.event("queue.joined", contact2)
        parked: list[str] = []
        c.fs.server.switch.listeners.append(
            lambda ev: (
                parked.append(ev.name)
                if ev.get("Unique-ID") == waiting.uuid and ev.name == "CHANNEL_PARK"
                else None
            )
        )
        leader.kill()
        killed_at = time.monotonic()
        new_leader = await c.leader(within=TAKEOVER_LIMIT_S)
        took_s = time.monotonic() - killed_at
        assert new_leader is follower
        print(f"\ntakeover after SIGKILL: {took_s:.2f} s")
        report = (await new_leader.readyz())["switch"]["takeover"]
        assert report == {"callers": 1, "agents": 2, "seconds": report["seconds"]}
        assert waiting.channel.alive
        assert parked == ["CHANNEL_PARK"]  # the dialplan parked it when the socket closed

        # Agents are back as the log left them (op2 was in wrap-up: not ready, "failover").
        assert await op1.state() == {"state": "not_ready", "reason": "break", "contact": None}
        assert await op2.state() == {"state": "not_ready", "reason": "failover", "contact": None}
        # The caller is still queued with its original wait, and an agent answers it.
        assert (await op1.send("ready"))["callpath"]["state"] in ("ready", "offered")
        pop2 = await op1.push("screen_pop")
        assert pop2["contact_id"] == contact2
        offered = await c.event("agent.offered", contact2)
        expected = (offered.occurred_at - joined.occurred_at).total_seconds()
        assert expected > 0
        assert json.loads(offered.payload)["waited_s"] >= expected - 1.0
        assert pop2["waited_s"] >= expected - 1.0
        assert (await op1.send("accept"))["callpath"]["state"] == "on_call"
        assert (await c.event("contact.answered", contact2)).agent == "op1"
        await waiting.wait(1).hangup()
        await c.event("contact.ended", contact2, by="caller")

        # Exactly one finished contact per call, and the caller joined the queue once.
        ends = Counter(e.contact_id for e in await c.events() if e.type in TERMINAL)
        assert ends == {contact1: 1, contact2: 1}
        assert len(await c.events(contact2, "queue.joined")) == 1
