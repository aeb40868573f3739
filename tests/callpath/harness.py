"""The whole server with the FreeSWITCH stand-in (switch_mode=standin), uvicorn in-process on a
free loopback port, real Socket.IO agent desks and scripted callers.

Nothing sleeps for a fixed time: waits are for conditions (an event in the contact log, a push on
a socket), bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import inspect
import json
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyotp
import uvicorn
from sqlmodel import col, select

from cms.models import ContactEvent
from crm.departments import service as departments
from crm.faq import service as faq
from realtime.auth.permissions import Role
from realtime.auth.secretbox import SecretBox
from realtime.db import Database
from realtime.settings import Settings
from switch.callpath.core import CallPath
from switch.callpath.demo import load_demo
from switch.standin import FreeSwitchStandIn
from switch.standin.script import Call
from switch.subsystem import SwitchSubsystem
from tests.realtime.live import Browser, HubClient, bound_socket, sign_in
from tests.support.app import add_user, make_app, make_settings

SCALE = 0.05  # 1 virtual second of the stand-in = 50 ms
WAIT = 15.0
RING_S = 30.0  # virtual seconds an offer rings (1.5 s real)
MAIN = "0339811111"
CALLER = "09012345678"
JST = dt.timezone(dt.timedelta(hours=9))
WEEKDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=JST)  # Wednesday, an ordinary day
WEEKDAY_9PM = dt.datetime(2026, 11, 25, 21, 0, tzinfo=JST)
HOLIDAY_10AM = dt.datetime(2026, 11, 23, 10, 0, tzinfo=JST)  # 勤労感謝の日 (Monday)

DEPARTMENTS_CSV = """dept_id,bu,ka,kakari,extension,handles
D02,区民部,区民課,証明係,2102,住民票の写し
D20,区民部,税務課,住民税係,2201,住民税
""".encode()

FAQ_CSV = """faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff
F0001,住民票・印鑑登録・マイナンバーカード,住民票,住民票の写しはどこで取れますか？,区民課証明係で取得できます。,D02,住民票,no
F0041,税金,住民税,住民税の納期はいつですか？,年4回です。,D20,住民税 納期,no
F0042,税金,住民税,住民税の証明書は？,区民課で発行します。,D20,課税証明,no
""".encode()

SV_TOTP = pyotp.random_base32()
ADMIN_TOTP = pyotp.random_base32()


@dataclass
class Desk:
    """An agent signed in through the pages with the /agent socket connected."""

    username: str
    browser: Browser
    socket: HubClient

    async def ready(self) -> Any:
        return await self.socket.call("ready", {})

    async def accept(self) -> Any:
        return await self.socket.call("accept", {})

    async def pop(self) -> dict[str, Any]:
        return dict(await self.socket.next("screen_pop", WAIT))

    async def state(self, wanted: str) -> dict[str, Any]:
        """The next agent_state push with state ``wanted`` (earlier ones are skipped)."""
        while True:
            push = await self.socket.next("agent_state", WAIT)
            if push["state"] == wanted:
                return dict(push)


@dataclass
class Rig:
    """The running server and what tests drive it with."""

    app: Any
    url: str
    path: CallPath
    switch: SwitchSubsystem
    fs: FreeSwitchStandIn
    tmp: Path
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def ctx(self) -> Any:
        return self.app.ctx

    def at(self, moment: dt.datetime) -> None:
        """The calendar decides as if it were ``moment``."""
        self.path.wall_clock = lambda: moment

    async def desk(self, username: str) -> Desk:
        browser = await sign_in(self.url, username)
        socket = HubClient(self.url, "/agent", cookie=browser.cookie_header)
        await socket.connect()
        await socket.next("snapshot")
        desk = Desk(username, browser, socket)
        self.closers.append(socket.close)
        self.closers.append(browser.aclose)
        return desk

    async def staff(self, username: str, totp: str | None = None) -> Browser:
        browser = await sign_in(self.url, username, totp_secret=totp)
        self.closers.append(browser.aclose)
        return browser

    async def call(self, did: str = MAIN, digits: str = "", *, after: float = 0.5) -> Call:
        """A caller dials ``did`` and presses ``digits`` (buffered DTMF, as FreeSWITCH keeps it)."""
        call = await self.fs.call(did=did, caller=CALLER)
        if digits:
            await call.wait(after).press(digits)
        return call

    def events(self, contact_id: str | None = None) -> list[ContactEvent]:
        with self.ctx.db.session() as session:
            stmt = select(ContactEvent).order_by(col(ContactEvent.seq))
            if contact_id is not None:
                stmt = stmt.where(col(ContactEvent.contact_id) == contact_id)
            return list(session.exec(stmt))

    async def event(
        self, type_: str, contact_id: str | None = None, *, within: float = WAIT, **payload: Any
    ) -> ContactEvent:
        """The first logged event of ``type_`` (for the contact, with these payload values)."""

        def find() -> ContactEvent | None:
            for row in self.events(contact_id):
                if row.type != type_:
                    continue
                data = json.loads(row.payload)
                if all(data.get(k) == v for k, v in payload.items()):
                    return row
            return None

        found: ContactEvent = await until(find, within=within, what=f"{type_} {payload}")
        return found

    async def contact_of(self, call: Call) -> str:
        """The contact id the call path gave this call."""

        def find() -> str | None:
            return self.path.seen.get(call.uuid)

        contact: str = await until(find, what="the call to reach the call path")
        return contact

    def types(self, contact_id: str) -> list[str]:
        return [e.type for e in self.events(contact_id)]

    async def admin_post(self, browser: Browser, path: str, body: dict[str, Any]) -> Any:
        return await browser.post_json(path, body)


async def until(predicate: Callable[[], Any], *, within: float = WAIT, what: str = "") -> Any:
    """Poll a condition until it gives something truthy."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def seed(database: Database, settings: Settings) -> None:
    """Demo call-path configuration, a small FAQ and the users (into the template database)."""
    with database.session() as session:
        departments.import_csv(session, data=DEPARTMENTS_CSV, actor="test")
        faq.import_csv(session, data=FAQ_CSV, actor="test")
    with database.session() as session:
        assert load_demo(session)
    holder = SimpleNamespace(ctx=SimpleNamespace(db=database, totp_box=lambda: _box(settings)))
    add_user(holder, "op1", Role.OPERATOR)
    add_user(holder, "op2", Role.OPERATOR)
    add_user(holder, "sv", Role.SUPERVISOR, totp_secret=SV_TOTP)
    add_user(holder, "admin", Role.SYSTEM_ADMIN, totp_secret=ADMIN_TOTP)


def _box(settings: Settings) -> SecretBox:
    return SecretBox(settings.secret_key.get_secret_value(), purpose="totp-secret")


@contextlib.asynccontextmanager
async def running(tmp_path: Path, template: Path, **settings: Any) -> AsyncIterator[Rig]:
    """Start the server (switch stand-in inside) on a free port; stop it afterwards."""
    values: dict[str, Any] = {
        "switch_mode": "standin",
        "switch_standin_scale": SCALE,
        "callpath_ring_timeout_s": RING_S,
        "public_url": "http://127.0.0.1",
    }
    values.update(settings)
    database = tmp_path / "callpath.sqlite3"
    shutil.copyfile(template, database)
    app = make_app(make_settings(tmp_path, f"sqlite:///{database}", **values))
    sock = bound_socket()
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", lifespan="on", ws="websockets-sansio", server_header=False
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    rig: Rig | None = None
    try:
        await until(lambda: server.started or task.done(), what="uvicorn to start")
        host, port = sock.getsockname()[:2]
        switch = app.ctx.extras["switch"]
        await switch.wait_ready(WAIT)
        assert switch.standin is not None
        rig = Rig(
            app=app,
            url=f"http://{host}:{port}",
            path=app.ctx.extras["callpath"],
            switch=switch,
            fs=switch.standin,
            tmp=tmp_path,
        )
        rig.at(WEEKDAY_10AM)
        yield rig
        assert rig.path.engine.problems() == []
    finally:
        if rig is not None:
            for close in reversed(rig.closers):
                with contextlib.suppress(Exception):
                    await close()
        server.should_exit = True
        await asyncio.wait_for(task, WAIT)
        sock.close()


def scenario(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop, with a deadline so a hang fails the test."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def main() -> None:
            await asyncio.wait_for(test(*args, **kwargs), 60)

        # On a thread of its own: a session-wide sync Playwright keeps a loop "running" in the
        # main thread, where asyncio.run() would refuse to start.
        failures: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(main())
            except BaseException as exc:  # handed to the test's thread below
                failures.append(exc)

        thread = threading.Thread(target=target, name="callpath-scenario")
        thread.start()
        thread.join()
        if failures:
            raise failures[0]

    run.__signature__ = inspect.signature(test)  # type: ignore[attr-defined]
    return run
