"""Drive a real server over the network: uvicorn on loopback, httpx for pages, Socket.IO clients.

Nothing here sleeps for a fixed time: every wait is for a condition, bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# socketio.AsyncClient speaks WebSocket through aiohttp (a dev dependency); fail loudly here
# rather than with a connection error deep inside a test.
import aiohttp  # noqa: F401
import httpx
import pyotp
import socketio
import uvicorn

from tests.support.app import PASSWORD, csrf_from

REPO_ROOT = Path(__file__).resolve().parents[2]
SESSION_COOKIE = "madoguchi_session"  # the name when cookies are not Secure (plain http)
TIMEOUT = 15.0


# --- servers -----------------------------------------------------------------------------


def bound_socket() -> socket.socket:
    """A listening-ready socket on a free loopback port (bound before the app exists)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def wait_until(condition: Any, *, what: str, timeout: float = TIMEOUT) -> None:
    """Poll a condition (a callable) until true, or fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def uvicorn_in_thread(app: Any, sock: socket.socket) -> Iterator[str]:
    """Serve an ASGI app on a pre-bound socket from a background thread; yields its URL."""
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", ws="websockets-sansio", server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), what="uvicorn to start")
        if not server.started:
            raise RuntimeError("uvicorn stopped before it started serving")
        host, port = sock.getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=TIMEOUT)
        sock.close()


@dataclass
class ServerProcess:
    """A ``madoguchi serve --port 0`` subprocess."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(
    *, data_dir: Path, database_url: str, secret_key: str, redis_url: str | None
) -> dict[str, str]:
    """The environment of a server subprocess: ours, minus any inherited Madoguchi settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MADOGUCHI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["MADOGUCHI_DATA_DIR"] = str(data_dir)
    env["MADOGUCHI_SECRET_KEY"] = secret_key
    env["MADOGUCHI_PUBLIC_URL"] = "http://127.0.0.1"
    env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def serve_subprocess(workdir: Path, env: dict[str, str]) -> Iterator[ServerProcess]:
    """Start ``python -m realtime.cli serve --port 0 --port-file F``; yields once it listens."""
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / "url"
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "realtime.cli",
                "serve",
                "--port",
                "0",
                "--port-file",
                str(port_file),
            ],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: port_file.exists() or proc.poll() is not None,
            what="the server to write its port file",
            timeout=60,
        )
        if not port_file.exists():
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        yield ServerProcess(proc=proc, url=port_file.read_text().strip(), log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=TIMEOUT)


# --- a person signed in over HTTP ----------------------------------------------------------


@dataclass
class Browser:
    """An httpx client that signed in through the real pages."""

    http: httpx.AsyncClient
    csrf_token: str = ""

    @property
    def session_token(self) -> str:
        value = self.http.cookies.get(SESSION_COOKIE)
        assert value, "not signed in"
        return value

    @property
    def cookie_header(self) -> str:
        return f"{SESSION_COOKIE}={self.session_token}"

    @property
    def session_token_id(self) -> str:
        """The stored id of this browser's session (the SHA-256 of the cookie token)."""
        return hashlib.sha256(self.session_token.encode()).hexdigest()

    async def post_form(self, path: str, data: dict[str, str]) -> httpx.Response:
        return await self.http.post(
            path, data={**data, "csrf_token": self.csrf_token}, follow_redirects=False
        )

    async def post_json(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(path, json=body, headers={"X-CSRF-Token": self.csrf_token})

    async def sign_out(self) -> None:
        response = await self.http.post(
            "/signout", data={"csrf_token": self.csrf_token}, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    async def aclose(self) -> None:
        await self.http.aclose()


async def sign_in(
    base_url: str, username: str, *, password: str = PASSWORD, totp_secret: str | None = None
) -> Browser:
    """Sign in like a browser (GET the form, POST it with its CSRF token)."""
    http = httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)
    page = await http.get("/signin")
    response = await http.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    if totp_secret:
        page = await http.get("/signin/totp")
        response = await http.post(
            "/signin/totp",
            data={"code": pyotp.TOTP(totp_secret).now(), "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    page = await http.get("/account/password")
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert match, page.text
    return Browser(http=http, csrf_token=match.group(1))


# --- a Socket.IO client --------------------------------------------------------------------


@dataclass
class HubClient:
    """A real python-socketio AsyncClient on one namespace, recording what it receives."""

    url: str
    namespace: str
    cookie: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sio: socketio.AsyncClient = field(init=False)
    received: dict[str, asyncio.Queue[Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, request_timeout=TIMEOUT)
        self.received = defaultdict(asyncio.Queue)

        async def record(event: str, *args: Any) -> None:
            await self.received[event].put(args[0] if len(args) == 1 else args)

        async def on_connect_error(data: Any = None) -> None:
            await self.received["connect_error"].put(data)

        async def on_disconnect(*_reason: Any) -> None:
            await self.received["disconnect"].put(True)

        self.sio.on("*", record, namespace=self.namespace)
        self.sio.on("disconnect", on_disconnect, namespace=self.namespace)
        self.sio.on("connect_error", on_connect_error, namespace=self.namespace)

    async def connect(self) -> None:
        headers = dict(self.headers)
        if self.cookie:
            headers["Cookie"] = self.cookie
        await self.sio.connect(
            self.url,
            namespaces=[self.namespace],
            transports=["websocket"],
            headers=headers,
            wait_timeout=TIMEOUT,
        )

    async def refused(self) -> Any:
        """Connect expecting a refusal; returns the data the server sent with it."""
        try:
            await self.connect()
        except socketio.exceptions.ConnectionError:
            pass
        else:
            raise AssertionError(f"{self.namespace} accepted a connection it should refuse")
        finally:
            await self.close()
        return await self.next("connect_error")

    async def next(self, event: str, within: float = TIMEOUT) -> Any:
        """The next payload of an event, waiting at most ``within`` seconds."""
        return await asyncio.wait_for(self.received[event].get(), within)

    def pending(self, event: str) -> list[Any]:
        """Payloads of an event received so far and not yet taken."""
        queue = self.received[event]
        items = []
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=TIMEOUT)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        await self.sio.shutdown()
        # A refused handshake leaves the Engine.IO client's HTTP session open; this closes it.
        await self.sio.eio.disconnect()
