"""Switch leader failover: how long after a SIGKILL of the leader a caller waiting in the queue
is back in the ACD of another process.

Two app processes (tests/scaleout/serve.py) on a throwaway PostgreSQL and Redis, the FreeSWITCH
stand-in in this process. Each run: a caller joins a queue with nobody ready, the leader is
killed with SIGKILL, and the clock runs until the other process reports ``leader`` on /readyz
with its takeover done (the caller re-queued with its original wait). Then a fresh process is
started as the next follower and the caller hangs up. The election polls every
MADOGUCHI_LEADER_POLL_SECONDS (0.2 s here; 0.5 s by default).
Run: PYTHONPATH=. python bench/failover.py [runs]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.scaleout.cluster import AppProcess, Cluster, cluster
from tests.support import servers

POLL_S = 0.2


async def _one(c: Cluster, leader: AppProcess, run: int) -> tuple[float, float, int, bool]:
    caller = await c.call("2")
    contact = await c.contact_of(caller)
    await c.event("queue.joined", contact)
    leader.kill()
    killed = time.monotonic()
    new_leader = await c.leader(within=60)
    elapsed = time.monotonic() - killed
    report = (await new_leader.readyz())["switch"]["takeover"]
    kept = caller.channel.alive
    await caller.hangup()
    await c.event("contact.abandoned", contact)
    await c.start_app(f"p{run + 2}")
    return elapsed, float(report["seconds"]), int(report["callers"]), kept


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="madoguchi-failover-") as tmp:
        folder = Path(tmp)
        (folder / "redis").mkdir()
        with servers.postgres_server() as pg, servers.redis_server(folder / "redis") as redis:
            async with cluster(
                folder / "cluster", postgres_server=pg, redis_url=redis, poll_s=POLL_S
            ) as c:
                await asyncio.gather(c.start_app("p0"), c.start_app("p1"))
                rows = []
                for run in range(runs):
                    leader = await c.leader()
                    rows.append(await _one(c, leader, run))
    print(f"leader failover after SIGKILL ({runs} runs, election poll {POLL_S} s)")
    print(f"{'run':>3} | {'kill -> new leader (s)':>22} | {'takeover (s)':>12} | callers | kept")
    for i, (elapsed, takeover, callers, kept) in enumerate(rows, 1):
        print(f"{i:>3} | {elapsed:>22.2f} | {takeover:>12.3f} | {callers:>7} | {kept}")
    totals = [r[0] for r in rows]
    print(
        f"median {statistics.median(totals):.2f} s, max {max(totals):.2f} s, "
        f"all callers kept: {all(r[3] for r in rows)}"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
