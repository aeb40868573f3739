"""Several real app processes on one PostgreSQL and one Redis, beside one FreeSWITCH stand-in.

The stand-in runs in the test's event loop (so tests script callers); the app processes run
``tests/scaleout/serve.py`` with ``switch_mode=freeswitch`` pointed at it. They all name the same
outbound-socket address, as the production dialplan does: only the leader listens there.
Used by tests/scaleout and bench/failover.py. Waits are for conditions, bounded by deadlines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlmodel import col, select

from cms.models import ContactEvent
from realtime import migrate
from realtime.db import Database
from switch.standin import FreeSwitchStandIn
from switch.standin.script import Call
from tests.callpath.harness import seed
from tests.realtime.live import REPO_ROOT, Browser, HubClient, sign_in
from tests.support.app import make_settings

SECRET = "test-secret-" + "x" * 40
ESL_PASSWORD = "scaleout-" + uuid.uuid4().hex[:12]
MAIN = "0339811111"
CALLER = "09012345678"
WAIT = 30.0
AGENTS = {"op1": "1001", "op2": "1002"}


def free_port() -> int:
    """A loopback port nobody listens on now (for the shared outbound-socket address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(env: dict[str, str], *, port_file: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start ``tests/scaleout/serve.py`` with this environment, output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.scaleout.serve", "--port-file", str(port_file)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def fresh_database(server_url: str) -> str:
    """A new, empty PostgreSQL database on the test server."""
    name = "so_" + uuid.uuid4().hex[:12]
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def prepare_database(url: str, folder: Path) -> None:
    """Migrations, the demo call path, a small FAQ, the users."""
    migrate.upgrade(url)
    database = Database(url)
    try:
        seed(database, make_settings(folder, url, secret_key=SECRET))
    finally:
        database.dispose()


async def until(predicate: Callable[[], Any], *, within: float = WAIT, what: str = "") -> Any:
    """Poll a (sync or async) condition until it gives something truthy."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class AppProcess:
    """One server process."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    async def readyz(self) -> dict[str, Any]:
        """The /readyz body ({} while the process does not answer)."""
        try:
            async with httpx.AsyncClient(timeout=2.0) as http:
                response = await http.get(self.url + "/readyz")
            return dict(response.json())
        except (httpx.HTTPError, ValueError):
            return {}

    async def role(self) -> str | None:
        """leader / taking-over / follower, as /readyz reports it."""
        role = (await self.readyz()).get("switch", {}).get("role")
        return str(role) if role is not None else None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a crash."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=WAIT)


@dataclass
class Desk:
    """An agent's desk: the signed-in browser and its /agent socket."""

    socket: HubClient
    browser: Browser

    async def send(self, event: str, data: Any = None) -> Any:
        """A desk event with its acknowledgement."""
        return await self.socket.call(event, data if data is not None else {})

    async def push(self, event: str) -> Any:
        """The next push of ``event``."""
        return await self.socket.next(event, WAIT)

    async def state(self) -> dict[str, Any]:
        """The agent's state as the server it is connected to reports it (HTTP)."""
        response = await self.browser.http.get("/api/callpath/agent")
        assert response.status_code == 200, response.text
        return dict(response.json()["callpath"])


@dataclass
class Cluster:
    """The stand-in, the processes, and what tests drive them with."""

    fs: FreeSwitchStandIn
    database_url: str
    env: dict[str, str]
    tmp: Path
    apps: list[AppProcess] = field(default_factory=list)
    closers: list[Callable[[], Any]] = field(default_factory=list)
    db: Database | None = None

    async def start_app(self, name: str) -> AppProcess:
        """Start one more app process; returns once it answers /healthz."""
        folder = self.tmp / name
        folder.mkdir(parents=True, exist_ok=True)
        port_file = folder / "url"
        log = folder / "server.log"
        env = {**self.env, "MADOGUCHI_DATA_DIR": str(folder / "data")}
        proc = spawn(env, port_file=port_file, log=log)
        await until(
            lambda: port_file.exists() or proc.poll() is not None,
            within=90,
            what=f"{name} to write its port file",
        )
        if not port_file.exists():
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()}")
        app = AppProcess(name=name, proc=proc, url=port_file.read_text().strip(), log=log)
        self.apps.append(app)
        await until(app.readyz, within=90, what=f"{name} to answer /readyz")
        return app

    async def roles(self) -> dict[str, str | None]:
        """Each live process's role."""
        return {a.name: await a.role() for a in self.apps if a.proc.poll() is None}

    async def leader(self, *, within: float = WAIT) -> AppProcess:
        """The single process that reports role ``leader`` (after its takeover)."""

        async def find() -> AppProcess | None:
            live = [a for a in self.apps if a.proc.poll() is None]
            roles = [await a.role() for a in live]
            leaders = [a for a, r in zip(live, roles, strict=True) if r == "leader"]
            return leaders[0] if len(leaders) == 1 else None

        found: AppProcess = await until(find, within=within, what="exactly one leader")
        return found

    async def desk(self, app: AppProcess, username: str) -> Desk:
        """An agent signed in on ``app`` with its /agent socket connected (snapshot taken)."""
        browser = await sign_in(app.url, username)
        socket_ = HubClient(app.url, "/agent", cookie=browser.cookie_header)
        await socket_.connect()
        await socket_.next("snapshot", WAIT)
        self.closers.append(socket_.close)
        self.closers.append(browser.aclose)
        return Desk(socket=socket_, browser=browser)

    async def call(self, digits: str) -> Call:
        """A caller dials the main line and presses ``digits``."""
        call = await self.fs.call(did=MAIN, caller=CALLER)
        await call.wait(0.5).press(digits)
        return call

    def _events(self, contact_id: str | None, type_: str | None) -> list[ContactEvent]:
        assert self.db is not None
        with self.db.session() as session:
            stmt = select(ContactEvent).order_by(col(ContactEvent.seq))
            if contact_id is not None:
                stmt = stmt.where(col(ContactEvent.contact_id) == contact_id)
            if type_ is not None:
                stmt = stmt.where(col(ContactEvent.type) == type_)
            return list(session.exec(stmt))

    async def events(
        self, contact_id: str | None = None, type_: str | None = None
    ) -> list[ContactEvent]:
        """Logged events (of a contact, of a type), in order."""
        return await asyncio.to_thread(self._events, contact_id, type_)

    async def event(
        self, type_: str, contact_id: str | None = None, *, within: float = WAIT, **payload: Any
    ) -> ContactEvent:
        """The first logged event of ``type_`` with these payload values."""

        async def find() -> ContactEvent | None:
            for row in await self.events(contact_id, type_):
                data = json.loads(row.payload)
                if all(data.get(k) == v for k, v in payload.items()):
                    return row
            return None

        found: ContactEvent = await until(find, within=within, what=f"{type_} {payload}")
        return found

    async def contact_of(self, call: Call) -> str:
        """The contact id of a call: the madoguchi_contact_id the leader wrote on its channel."""

        def find() -> str | None:
            return call.channel.variables.get("madoguchi_contact_id")

        contact: str = await until(find, what="the call to join a queue")
        return contact


@contextlib.asynccontextmanager
async def cluster(
    tmp: Path, *, postgres_server: str, redis_url: str, poll_s: float = 0.2
) -> AsyncIterator[Cluster]:
    """A fresh database, the stand-in, no app process yet (tests start them)."""
    url = await asyncio.to_thread(fresh_database, postgres_server)
    await asyncio.to_thread(prepare_database, url, tmp / "seed")
    outbound_port = free_port()
    fs = FreeSwitchStandIn(password=ESL_PASSWORD, outbound=("127.0.0.1", outbound_port))
    await fs.start()
    for extension in AGENTS.values():
        fs.register_agent(extension, auto_answer=True, answer_delay=0.3)
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MADOGUCHI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env = {
        **base,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "MADOGUCHI_SECRET_KEY": SECRET,
        "MADOGUCHI_PUBLIC_URL": "http://127.0.0.1",
        "MADOGUCHI_SWITCH_MODE": "freeswitch",
        "MADOGUCHI_ESL_HOST": "127.0.0.1",
        "MADOGUCHI_ESL_PORT": str(fs.port),
        "MADOGUCHI_ESL_PASSWORD": ESL_PASSWORD,
        "MADOGUCHI_OUTBOUND_SOCKET": f"127.0.0.1:{outbound_port}",
        "MADOGUCHI_CALLPATH_RING_TIMEOUT_S": "60",
        "MADOGUCHI_LEADER_POLL_SECONDS": str(poll_s),
    }
    result = Cluster(fs=fs, database_url=url, env=env, tmp=tmp, db=Database(url))
    try:
        yield result
    finally:
        for close in reversed(result.closers):
            with contextlib.suppress(Exception):
                await close()
        for app in result.apps:
            if app.proc.poll() is None:
                app.proc.terminate()
        for app in result.apps:
            try:
                await asyncio.to_thread(app.proc.wait, WAIT)
            except subprocess.TimeoutExpired:
                app.proc.kill()
                await asyncio.to_thread(app.proc.wait, WAIT)
        await fs.stop()
        if result.db is not None:
            result.db.dispose()
