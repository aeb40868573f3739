"""Every browser reconnecting at once (50 Socket.IO clients behind a proxy that drops them all):
each gets one fresh snapshot, no screen pop is pushed twice, the storm is alerted."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import socketio

from realtime.monitoring import incidents
from tests.callpath.harness import running, until
from tests.faults.invariants import (
    FaultRecord,
    alerts,
    assert_no_duplicate_pops,
    assert_one_end_per_call,
)
from tests.faults.proxy import Proxy
from tests.faults.runner import scenario, session_cookies

CLIENTS = 50


class BrowserLikeClient(socketio.AsyncClient):  # type: ignore[misc]
    """Reconnects as a browser tab does: with its cookie (python-engineio moves the Cookie
    header out of the headers it keeps, so a reconnect would arrive signed out) and waiting up
    to 20 s for the namespace (python-socketio waits 1 s, socket.io in a browser 20 s)."""

    def __init__(self, cookie: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cookie = cookie

    async def connect(self, *args: Any, **kwargs: Any) -> None:
        kwargs["headers"] = {"Cookie": self.cookie}
        kwargs["wait_timeout"] = 20
        await super().connect(*args, **kwargs)


class Tab:
    """One browser tab's /agent socket, reconnecting by itself like the desk's client."""

    def __init__(self, name: str, cookie: str) -> None:
        self.name = name
        self.cookie = cookie
        self.sio = BrowserLikeClient(
            cookie, reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.5
        )
        self.snapshots: list[dict[str, Any]] = []
        self.pops: list[str] = []
        self.sio.on("snapshot", self._snapshot, namespace="/agent")
        self.sio.on("screen_pop", self._pop, namespace="/agent")

    async def _snapshot(self, data: dict[str, Any]) -> None:
        self.snapshots.append(data)

    async def _pop(self, data: dict[str, Any]) -> None:
        self.pops.append(str(data["contact_id"]))

    async def connect(self, url: str) -> None:
        await self.sio.connect(url, namespaces=["/agent"], transports=["websocket"])


@pytest.mark.req("N-REL-1")
@scenario
async def test_fifty_browsers_reconnecting_at_once_get_one_snapshot_each_and_no_repeated_pop(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord
) -> None:
    fault_record.fault = f"all browsers reconnect at once ({CLIENTS} Socket.IO clients)"
    fault_record.injected = "a TCP proxy in front of the server aborts every connection at once"
    async with running(tmp_path, callpath_db, reconnect_storm_connects=30) as rig:
        port = int(rig.url.rsplit(":", 1)[1])
        proxy = Proxy(target_port=port)
        await proxy.start()
        rig.closers.append(proxy.stop)
        tabs: list[Tab] = []
        for user in ("op1", "op2"):  # a session of its own per tab
            cookies = session_cookies(rig.ctx, user, CLIENTS // 2)
            tabs += [Tab(f"{user}#{n}", cookie) for n, cookie in enumerate(cookies)]
        await asyncio.gather(*(t.connect(f"http://127.0.0.1:{proxy.port}") for t in tabs))
        for tab in tabs:
            rig.closers.append(tab.sio.disconnect)
        await until(lambda: all(len(t.snapshots) == 1 for t in tabs), what="first snapshots")
        # op1 takes a call from its main desk (not behind the proxy); its tabs get the pop.
        op1 = await rig.desk("op1")
        await op1.ready()
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await op1.pop()
        await op1.accept()
        await rig.event("contact.answered", contact)
        op1_tabs = [t for t in tabs if t.name.startswith("op1")]
        await until(lambda: all(t.pops == [contact] for t in op1_tabs), what="pops on every tab")

        faults = incidents.of(rig.ctx)
        cut_at = time.monotonic()
        assert proxy.cut() >= CLIENTS
        await until(
            lambda: all(len(t.snapshots) >= 2 for t in tabs), within=30, what="every reconnect"
        )
        resynced_s = time.monotonic() - cut_at
        await until(lambda: faults.is_open("reconnect_storm", "sockets"), what="the storm alert")
        await until(
            lambda: not faults.is_open("reconnect_storm", "sockets"),
            within=20,
            what="the storm to be over",
        )
        fault_record.detected_by = "snapshot counter: >= 30 reconnects of known sessions in 10 s"
        fault_record.recovery_s = round(resynced_s, 3)
        counts: dict[int, int] = defaultdict(int)
        for tab in tabs:
            counts[len(tab.snapshots)] += 1
        assert counts == {2: CLIENTS}, counts  # one fresh snapshot each, no more
        fault_record.held("one fresh snapshot per client")
        for tab in op1_tabs:
            mine = tab.snapshots[-1]["callpath"]
            assert mine["state"] == "on_call"
            assert mine["contact"]["contact_id"] == contact
        assert_no_duplicate_pops([(t.name, c) for t in tabs for c in t.pops])
        fault_record.held("no duplicate pop")
        await call.hangup()
        await rig.event("contact.ended", contact)
        assert_one_end_per_call(rig.ctx.db)
        fault_record.held("one end per call")
        await until(lambda: bool(alerts(rig.ctx.db, "reconnect_storm")), what="stored alert")
        fault_record.held("alert raised and cleared")
