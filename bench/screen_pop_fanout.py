"""Screen pop end to end at ten times the city's peak hour, beside a bare python-socketio emit.

Usage: PYTHONPATH=. python bench/screen_pop_fanout.py [--seconds 100] [--agents 200]
       [--supervisors 30] [--factor 10] [--seed 1]

Three processes: the app (``role app``: the whole server, uvicorn on a free loopback port, the
FreeSWITCH stand-in inside it in standin mode, SQLite), a bare python-socketio server (``role
bare``) and this one, which holds every Socket.IO client (real ``socketio.AsyncClient``s over
WebSocket: ``--agents`` agents signed in through the pages on ``/agent`` and ready, and
``--supervisors`` supervisors signed in with TOTP on ``/supervisor``).

The app's clock starts when the stand-in writes the CHANNEL_EXECUTE_COMPLETE of the caller's
menu choice (``play_and_get_digits``) to the app: from there the IVR logs the choice, joins the
queue, the ACD offers an agent, the offer is logged, the pop is built (talk script, FAQ) and
emitted. It stops when the agent's client receives ``screen_pop`` (and, second row, when each
supervisor client receives the ``contact_event`` of the offer). The bare server emits a payload
of the same size to one agent's room (and a same-size event to every supervisor) at the same
Poisson arrival times; its clock starts just before the emit. Both clocks are CLOCK_MONOTONIC,
shared by the processes of one machine.

The call rate is the busiest hour on record times ``--factor``: the busiest day of
``shared/data/daily_calls_2021-04_2021-12.csv`` shaped by its own hourly profile in
``shared/data/hourly_profiles.csv`` (the profile's busiest hour share of the day).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
MAIN_DID = "0339811111"


# --------------------------------------------------------------------------- the call rate


@dataclass(frozen=True)
class PeakHour:
    """The busiest hour the city's data shows, and the rate the benchmark uses."""

    day: str
    day_calls: int
    hour: str
    hour_share: float
    peak_calls_per_hour: float
    factor: float

    @property
    def calls_per_hour(self) -> float:
        return self.peak_calls_per_hour * self.factor


def peak_hour(shared: Path, factor: float) -> PeakHour:
    """The busiest day's calls times its profile's busiest hour share, times ``factor``."""
    with (shared / "daily_calls_2021-04_2021-12.csv").open(encoding="utf-8") as f:
        days = {row["date"]: int(row["calls"]) for row in csv.DictReader(f)}
    with (shared / "hourly_profiles.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    profiles = [c for c in rows[0] if c != "hour_start"]
    # The profile of the busiest day when it has one, else the profile with the biggest day.
    best = max(profiles, key=lambda p: days.get(p.split("_")[0], 0))
    day = best.split("_")[0]
    counts = [(r["hour_start"], int(r[best])) for r in rows]
    hour, top = max(counts, key=lambda hc: hc[1])
    share = top / sum(c for _, c in counts)
    busiest_day = max(days, key=lambda d: days[d])
    if busiest_day != day:
        day = busiest_day
    return PeakHour(
        day=day,
        day_calls=days[day],
        hour=hour,
        hour_share=share,
        peak_calls_per_hour=days[day] * share,
        factor=factor,
    )


def arrivals(rate_per_s: float, seconds: float, seed: int) -> list[float]:
    """Poisson arrival offsets (seconds from the start) at ``rate_per_s``."""
    rng = random.Random(seed)
    out: list[float] = []
    t = rng.expovariate(rate_per_s)
    while t < seconds:
        out.append(t)
        t += rng.expovariate(rate_per_s)
    return out


# --------------------------------------------------------------------------- child protocol


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _hear() -> dict[str, Any]:
    line = await asyncio.to_thread(sys.stdin.readline)
    if not line:
        raise SystemExit(0)
    data: dict[str, Any] = json.loads(line)
    return data


@dataclass
class Child:
    """A role of this script in a subprocess, spoken to by JSON lines."""

    proc: subprocess.Popen[str]

    @classmethod
    def start(cls, role: str, *args: str) -> Child:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--role", role, *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return cls(proc)

    async def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            line = await asyncio.to_thread(self.proc.stdout.readline)
            if not line:
                raise RuntimeError(f"child exited ({self.proc.wait()})")
            if line.startswith("{"):
                data: dict[str, Any] = json.loads(line)
                return data
            sys.stderr.write(line)

    def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.send({"stop": True})
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- role: app


async def _app_role(agents: int, supervisors: int) -> None:
    import datetime as dt

    import pyotp
    import uvicorn

    from realtime import migrate
    from realtime.auth import service as auth
    from realtime.auth.permissions import Role
    from realtime.db import Database
    from switch.callpath import service as callpath_service
    from switch.standin.events import FsEvent
    from tests.callpath.harness import seed
    from tests.realtime.live import bound_socket
    from tests.support.app import PASSWORD, make_app, make_settings

    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-bench-pop-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    values: dict[str, Any] = {
        "switch_mode": "standin",
        "switch_standin_scale": 0.05,
        "callpath_ring_timeout_s": 600.0,
        "public_url": "http://127.0.0.1",
    }
    settings = make_settings(tmp, url, **values)
    migrate.upgrade(url)
    database = Database(url)
    seed(database, settings)
    secrets: dict[str, str] = {}
    from realtime.auth.secretbox import SecretBox

    box = SecretBox(settings.secret_key.get_secret_value(), purpose="totp-secret")
    # Every bench user has the same password: hash it once (Argon2id), not 230 times.
    from realtime.auth import passwords

    hashed = passwords.hash_password(PASSWORD)
    original_hash = passwords.hash_password
    passwords.hash_password = lambda _password: hashed  # type: ignore[assignment]
    with database.session() as session:
        for i in range(agents):
            name = f"a{i:03d}"
            auth.create_user(
                session,
                username=name,
                display_name=f"{name} 様",
                password=PASSWORD,
                roles=[Role.OPERATOR],
                actor="bench",
            )
            callpath_service.save_agent(
                session,
                data={"username": name, "extension": str(3000 + i), "skills": {"juminhyo": 1}},
                actor="bench",
            )
        for i in range(supervisors):
            name = f"s{i:02d}"
            user = auth.create_user(
                session,
                username=name,
                display_name=f"{name} 様",
                password=PASSWORD,
                roles=[Role.SUPERVISOR],
                actor="bench",
            )
            secret = pyotp.random_base32()
            user.totp_secret_enc = box.seal(secret)
            user.totp_enabled = True
            session.add(user)
            secrets[name] = secret
        session.commit()
    passwords.hash_password = original_hash
    database.dispose()

    app = make_app(settings)
    sock = bound_socket()
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", lifespan="on", ws="websockets-sansio", server_header=False
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            raise RuntimeError("uvicorn stopped")
        await asyncio.sleep(0.05)
    switch = app.ctx.extras["switch"]
    await switch.wait_ready(30)
    path = app.ctx.extras["callpath"]
    jst = dt.timezone(dt.timedelta(hours=9))
    weekday_10am = dt.datetime(2026, 11, 25, 10, 0, tzinfo=jst)
    path.wall_clock = lambda: weekday_10am
    fs = switch.standin
    triggers: dict[str, float] = {}

    def probe(event: FsEvent) -> None:
        if (
            event.name == "CHANNEL_EXECUTE_COMPLETE"
            and event.get("Application") == "play_and_get_digits"
        ):
            uuid = event.get("Unique-ID") or ""
            triggers.setdefault(uuid, time.monotonic())

    fs.server.switch.listeners.append(probe)
    host, port = sock.getsockname()[:2]
    _say({"url": f"http://{host}:{port}", "totp": secrets})

    calls: set[asyncio.Task[None]] = set()
    while True:
        order = await _hear()
        if order.get("stop"):
            break
        offsets: list[float] = order["arrivals"]
        hold_s: float = order["hold_s"]
        start = time.monotonic()
        triggers.clear()
        for n, offset in enumerate(offsets):
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            call = await fs.call(did=MAIN_DID, caller=f"090{n:08d}")
            script = call.press("1").hangup_after(hold_s / fs.clock.scale)
            t = asyncio.ensure_future(script.run())
            calls.add(t)
            t.add_done_callback(calls.discard)
        while calls:
            await asyncio.wait(set(calls))
        deadline = time.monotonic() + 30
        while path.calls and time.monotonic() < deadline:  # noqa: ASYNC110 (the app's state)
            await asyncio.sleep(0.1)
        by_contact = {path.seen[u]: t for u, t in triggers.items() if u in path.seen}
        _say({"triggers": by_contact, "problems": [str(p) for p in path.engine.problems()]})
    server.should_exit = True
    await asyncio.wait_for(task, 30)
    shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- role: bare


async def _bare_role(agents: int) -> None:
    import socketio
    import uvicorn

    from tests.realtime.live import bound_socket

    sio = socketio.AsyncServer(async_mode="asgi", transports=["websocket"])

    async def on_connect(sid: str, _environ: dict[str, Any], auth: dict[str, Any]) -> None:
        await sio.enter_room(sid, "all", namespace="/supervisor")

    async def on_agent(sid: str, _environ: dict[str, Any], auth: dict[str, Any]) -> None:
        await sio.enter_room(sid, f"user:{auth['room']}", namespace="/agent")

    sio.on("connect", on_connect, namespace="/supervisor")
    sio.on("connect", on_agent, namespace="/agent")
    app = socketio.ASGIApp(sio)
    sock = bound_socket()
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", lifespan="off", ws="websockets-sansio", server_header=False
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
        await asyncio.sleep(0.05)
    host, port = sock.getsockname()[:2]
    _say({"url": f"http://{host}:{port}"})
    while True:
        order = await _hear()
        if order.get("stop"):
            break
        pop: dict[str, Any] = order["pop"]
        event: dict[str, Any] = order["event"]
        offsets: list[float] = order["arrivals"]
        triggers: dict[str, float] = {}
        start = time.monotonic()
        for n, offset in enumerate(offsets):
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            contact_id = f"bare-{n:06d}"
            triggers[contact_id] = time.monotonic()
            data = {**event, "contact_id": contact_id}
            await sio.emit("contact_event", data, namespace="/supervisor", room="all")
            await sio.emit(
                "screen_pop",
                {**pop, "contact_id": contact_id},
                namespace="/agent",
                room=f"user:{n % agents}",
            )
        _say({"triggers": triggers})
    server.should_exit = True
    await asyncio.wait_for(task, 30)


# --------------------------------------------------------------------------- the clients


@dataclass
class Received:
    """What the clients got: receive times by contact id."""

    pops: dict[str, float]
    offers: dict[str, list[float]]
    pop_payload: dict[str, Any] | None = None
    offer_payload: dict[str, Any] | None = None
    duplicates: int = 0
    signin_retries: int = 0


def _client(received: Received, namespace: str) -> Any:
    import socketio

    sio = socketio.AsyncClient(reconnection=False, request_timeout=60)

    async def on_pop(data: dict[str, Any]) -> None:
        now = time.monotonic()
        cid = str(data.get("contact_id"))
        if cid in received.pops:
            received.duplicates += 1
            return
        received.pops[cid] = now
        received.pop_payload = data

    async def on_event(data: dict[str, Any]) -> None:
        now = time.monotonic()
        if data.get("type") == "agent.offered":
            received.offers.setdefault(str(data.get("contact_id")), []).append(now)
            received.offer_payload = data

    if namespace == "/agent":
        sio.on("screen_pop", on_pop, namespace=namespace)
    else:
        sio.on("contact_event", on_event, namespace=namespace)
    return sio


async def _bounded(jobs: list[Callable[[], Awaitable[Any]]], width: int) -> list[Any]:
    gate = asyncio.Semaphore(width)

    async def one(job: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(j) for j in jobs)))


async def _app_clients(
    url: str, agents: int, totp: dict[str, str], received: Received
) -> list[Any]:
    import httpx

    from tests.realtime.live import sign_in as sign_in_once

    async def sign_in(name: str, totp_secret: str | None = None) -> Any:
        # SQLite answers "database is locked" to a few of many simultaneous sign-ins (a read
        # transaction upgraded to a write while another commits), and a loaded machine may
        # time out; both are counted and the sign-in is tried again.
        for _ in range(5):
            try:
                return await sign_in_once(url, name, totp_secret=totp_secret)
            except (AssertionError, httpx.HTTPError):
                received.signin_retries += 1
        raise RuntimeError(f"{name} could not sign in")

    async def agent(i: int) -> Any:
        browser = await sign_in(f"a{i:03d}")
        sio = _client(received, "/agent")
        await sio.connect(
            url,
            namespaces=["/agent"],
            transports=["websocket"],
            headers={"Cookie": browser.cookie_header},
            wait_timeout=60,
        )
        ack = await sio.call("ready", {}, namespace="/agent", timeout=60)
        if not isinstance(ack, dict) or ack.get("error"):
            raise RuntimeError(f"agent a{i:03d} could not get ready: {ack}")
        await browser.aclose()
        return sio

    async def supervisor(name: str, secret: str) -> Any:
        browser = await sign_in(name, totp_secret=secret)
        sio = _client(received, "/supervisor")
        await sio.connect(
            url,
            namespaces=["/supervisor"],
            transports=["websocket"],
            headers={"Cookie": browser.cookie_header},
            wait_timeout=60,
        )
        await browser.aclose()
        return sio

    jobs: list[Callable[[], Awaitable[Any]]] = [functools.partial(agent, i) for i in range(agents)]
    jobs += [functools.partial(supervisor, n, s) for n, s in totp.items()]
    return await _bounded(jobs, 4)


async def _bare_clients(url: str, agents: int, supervisors: int, received: Received) -> list[Any]:
    async def connect(namespace: str, room: int | None) -> Any:
        sio = _client(received, namespace)
        await sio.connect(
            url,
            namespaces=[namespace],
            transports=["websocket"],
            auth={"room": room} if room is not None else {},
            wait_timeout=60,
        )
        return sio

    jobs: list[Callable[[], Awaitable[Any]]] = [
        functools.partial(connect, "/agent", i) for i in range(agents)
    ]
    jobs += [functools.partial(connect, "/supervisor", None) for _ in range(supervisors)]
    return await _bounded(jobs, 16)


async def _close(clients: list[Any]) -> None:
    for sio in clients:
        with contextlib.suppress(Exception):
            await sio.disconnect()


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Row:
    """Latency percentiles of one measured path, in milliseconds."""

    name: str
    count: int
    p50: float
    p95: float
    p99: float
    max: float
    missing: int

    def markdown(self) -> str:
        return (
            f"| {self.name} | {self.count:,} | {self.p50:.1f} | {self.p95:.1f} | "
            f"{self.p99:.1f} | {self.max:.1f} | {self.missing} |"
        )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def row(name: str, triggers: dict[str, float], got: dict[str, list[float]], per: int) -> Row:
    """Percentiles of receive minus trigger; ``missing`` counts expected receipts not seen."""
    ms: list[float] = []
    missing = 0
    for cid, t0 in triggers.items():
        times = got.get(cid, [])
        missing += max(0, per - len(times))
        ms.extend((t - t0) * 1000 for t in times)
    return Row(
        name=name,
        count=len(ms),
        p50=_pct(ms, 0.5),
        p95=_pct(ms, 0.95),
        p99=_pct(ms, 0.99),
        max=max(ms) if ms else float("nan"),
        missing=missing,
    )


# --------------------------------------------------------------------------- main


async def main(args: argparse.Namespace) -> int:
    rate = peak_hour(SHARED, args.factor)
    per_s = rate.calls_per_hour / 3600
    offsets = arrivals(per_s, args.seconds, args.seed)
    print(
        f"busiest day {rate.day}: {rate.day_calls} calls; busiest hour {rate.hour} "
        f"({rate.hour_share:.1%} of the day's profile) = {rate.peak_calls_per_hour:.0f} calls/h; "
        f"x{args.factor:g} = {rate.calls_per_hour:.0f} calls/h ({per_s:.3f}/s); "
        f"{len(offsets)} calls in {args.seconds:g} s",
        flush=True,
    )
    began = time.monotonic()

    app = Child.start("app", "--agents", str(args.agents), "--supervisors", str(args.supervisors))
    try:
        hello = await app.read()
        print(f"app ready in {time.monotonic() - began:.1f} s", flush=True)
        got = Received(pops={}, offers={})
        clients = await _app_clients(hello["url"], args.agents, hello["totp"], got)
        print(f"{len(clients)} clients signed in at {time.monotonic() - began:.1f} s", flush=True)
        app.send({"arrivals": offsets, "hold_s": args.hold})
        result = await app.read()
        await _close(clients)
    finally:
        app.stop()
    app_triggers: dict[str, float] = result["triggers"]
    if got.pop_payload is None or got.offer_payload is None:
        raise RuntimeError("the app sent no screen pop")
    pop_bytes = len(json.dumps(got.pop_payload, ensure_ascii=False).encode())
    offer_bytes = len(json.dumps(got.offer_payload, ensure_ascii=False).encode())

    bare = Child.start("bare", "--agents", str(args.agents))
    try:
        hello = await bare.read()
        bare_got = Received(pops={}, offers={})
        clients = await _bare_clients(hello["url"], args.agents, args.supervisors, bare_got)
        bare.send(
            {
                "arrivals": offsets,
                "pop": got.pop_payload,
                "event": {**got.offer_payload, "type": "agent.offered"},
            }
        )
        bare_result = await bare.read()
        await _close(clients)
    finally:
        bare.stop()
    bare_triggers: dict[str, float] = bare_result["triggers"]

    rows = [
        row("app: screen_pop to the agent", app_triggers, {k: [v] for k, v in got.pops.items()}, 1),
        row("bare emit: same payload to the agent", bare_triggers,
            {k: [v] for k, v in bare_got.pops.items()}, 1),
        row(f"app: agent.offered to each of {args.supervisors} supervisors", app_triggers,
            got.offers, args.supervisors),
        row(f"bare emit: same event to each of {args.supervisors} supervisors", bare_triggers,
            bare_got.offers, args.supervisors),
    ]  # fmt: skip
    print()
    print(
        f"{rate.calls_per_hour:.0f} calls/h (x{args.factor:g} the peak hour), "
        f"{len(offsets)} calls, "
        f"{args.agents} agents + {args.supervisors} supervisors connected; "
        f"pop {pop_bytes} B, supervisor event {offer_bytes} B; "
        f"total {time.monotonic() - began:.0f} s"
    )
    print()
    print("| path | receipts | p50 ms | p95 ms | p99 ms | max ms | missing |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(r.markdown())
    app_pop, bare_pop = rows[0], rows[1]
    ratio = app_pop.p99 / bare_pop.p99 if bare_pop.p99 > 0 else float("inf")
    print()
    print(
        f"goal p99 <= 50 ms: {'met' if app_pop.p99 <= 50 else 'NOT met'} ({app_pop.p99:.1f} ms); "
        f"p99 <= 3x bare: {'met' if ratio <= 3 else 'NOT met'} ({ratio:.2f}x); "
        f"duplicate pops: {got.duplicates}; ACD problems: {result['problems'] or 'none'}; "
        f"sign-ins retried after HTTP 500 (SQLite 'database is locked'): {got.signin_retries}"
    )
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--role", choices=["main", "app", "bare"], default="main")
    p.add_argument("--seconds", type=float, default=80.0, help="length of each measured run")
    p.add_argument("--agents", type=int, default=200)
    p.add_argument("--supervisors", type=int, default=30)
    p.add_argument("--factor", type=float, default=10.0, help="times the peak hour")
    p.add_argument("--hold", type=float, default=1.5, help="real seconds a caller waits")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


if __name__ == "__main__":
    parsed = parse()
    if parsed.role == "app":
        asyncio.run(_app_role(parsed.agents, parsed.supervisors))
        raise SystemExit(0)
    if parsed.role == "bare":
        asyncio.run(_bare_role(parsed.agents))
        raise SystemExit(0)
    if not SHARED.exists():
        raise SystemExit(f"needs the city's data in {SHARED}")
    raise SystemExit(asyncio.run(main(parsed)))
