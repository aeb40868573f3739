"""The hub's declared-events registry, walked for every role: the Socket.IO half of "walk every
route and event for every role".

The unit tests drive the namespaces' own dispatch with a stand-in hub and server (no network);
the last test walks every namespace for every role over a real server.
"""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest
import socketio

from realtime.auth.permissions import ROLE_PERMISSIONS, Permission, Role, needs_second_factor
from realtime.auth.service import Principal
from realtime.errors import MadoguchiError
from realtime.hub.server import NAMESPACES, AudienceNamespace
from tests.realtime.conftest import LiveServer
from tests.realtime.live import HubClient, sign_in
from tests.support.app import add_user

SID = "sid-under-test"
TOKEN = "token-under-test"
HANDLED = "handled-by-the-hub"


def all_subclasses(cls: type[AudienceNamespace]) -> list[type[AudienceNamespace]]:
    found: list[type[AudienceNamespace]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(all_subclasses(sub))
    return found


def principal_with(*roles: Role, second_factor_passed: bool = True) -> Principal:
    return Principal(
        user_id=7,
        username="walker",
        display_name="walker 様",
        roles=frozenset(roles),
        session_id="session-7",
        second_factor_passed=second_factor_passed,
        totp_enabled=True,
        must_change_password=False,
    )


@dataclass(frozen=True)
class GrantedOnly(Principal):
    """A principal holding exactly the given permissions (combinations no role has today)."""

    granted: frozenset[Permission] = frozenset()

    @property
    def permissions(self) -> frozenset[Permission]:
        return self.granted


@dataclass
class StandInHub:
    """Records what the namespaces ask of the hub; every handler's work returns a marker."""

    principal: Principal
    session_cookie_name: str = "madoguchi_session"
    rejections: list[tuple[str, str, str | None]] = field(default_factory=list)
    connected: list[tuple[str, str]] = field(default_factory=list)

    async def load_principal(self, token: str) -> Principal:
        assert token == TOKEN
        return self.principal

    async def snapshot(self, namespace: str, principal: Principal) -> dict[str, Any]:
        return {"result": HANDLED, "namespace": namespace}

    async def announce(self, *, principal: Principal, text: Any) -> dict[str, Any]:
        return {"result": HANDLED, "text": text}

    async def desk_action(self, action: str, *, principal: Principal, data: Any) -> dict[str, Any]:
        return {"result": HANDLED, "action": action}

    async def supervisor_action(
        self, action: str, *, principal: Principal, data: Any
    ) -> dict[str, Any]:
        return {"result": HANDLED, "action": action}

    def remember(self, sid: str, *, namespace: str, principal: Principal) -> None:
        self.connected.append((sid, namespace))

    def forget(self, sid: str) -> None:
        self.connected = [c for c in self.connected if c[0] != sid]

    async def audit_rejection(
        self,
        *,
        sid: str,
        namespace: str,
        error: MadoguchiError,
        principal: Principal | None = None,
        event: str | None = None,
        ip: str = "",
    ) -> None:
        self.rejections.append((namespace, error.error_id, event))


class StandInManager:
    def __init__(self, *, connected: bool) -> None:
        self.connected = connected

    def is_connected(self, sid: str, namespace: str) -> bool:
        return self.connected


class StandInServer:
    """What AsyncNamespace reaches through ``self.server``."""

    def __init__(self, *, connected: bool) -> None:
        self.manager = StandInManager(connected=connected)
        self.rooms: list[str] = []
        self.emitted: list[tuple[str, Any]] = []

    async def get_session(self, sid: str, namespace: str | None = None) -> dict[str, Any]:
        return {"token": TOKEN}

    async def save_session(self, sid: str, session: Any, namespace: str | None = None) -> None:
        assert session == {"token": TOKEN}

    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.append(room)

    async def emit(self, event: str, data: Any = None, **_kwargs: Any) -> None:
        self.emitted.append((event, data))


def namespace_for(
    path: str, principal: Principal, *, connected: bool = True
) -> tuple[AudienceNamespace, StandInHub, StandInServer]:
    hub = StandInHub(principal=principal)
    server = StandInServer(connected=connected)
    ns = NAMESPACES[path](path, hub)  # type: ignore[arg-type]
    ns._set_server(server)
    return ns, hub, server


def declared_pairs() -> list[tuple[str, str]]:
    return [(path, name) for path, cls in NAMESPACES.items() for name in sorted(cls.declared)]


# --- the registry itself -------------------------------------------------------------------


@pytest.mark.req("N-SEC-1", "N-SEC-7")
def test_every_namespace_is_registered_and_every_event_declares_a_permission() -> None:
    subclasses = all_subclasses(AudienceNamespace)
    assert set(subclasses) == set(NAMESPACES.values())
    for path, cls in NAMESPACES.items():
        assert isinstance(cls.permission, Permission), path
        assert "resync" in cls.declared, path
        for name, declared in cls.declared.items():
            assert declared.name == name
            assert isinstance(declared.permission, Permission), (path, name)
            assert inspect.iscoroutinefunction(declared.handler), (path, name)
        # python-socketio would dispatch on_<event> methods by name; here only declared
        # handlers run, so an undeclared on_ method would be dead code that looks live.
        handlers = {
            attr
            for klass in cls.__mro__
            if issubclass(klass, AudienceNamespace)
            for attr, value in vars(klass).items()
            if attr.startswith("on_") and callable(value)
        }
        declared_handlers = {d.handler.__name__ for d in cls.declared.values()}
        assert handlers == declared_handlers, path


@pytest.mark.req("N-SEC-1", "N-SEC-7")
def test_declared_events_are_exactly_the_documented_ones() -> None:
    assert {
        path: {n: d.permission for n, d in cls.declared.items()} for path, cls in NAMESPACES.items()
    } == {
        "/agent": {
            "resync": Permission.ACCOUNT_SELF,
            "accept": Permission.DESK_USE,
            "ready": Permission.DESK_USE,
            "not_ready": Permission.DESK_USE,
            "transfer": Permission.DESK_USE,
            "survey": Permission.DESK_USE,
        },
        "/supervisor": {
            "resync": Permission.ACCOUNT_SELF,
            "announce": Permission.ANNOUNCE,
            "supervise": Permission.CALLS_SUPERVISE,
            "supervise_stop": Permission.CALLS_SUPERVISE,
            "force_not_ready": Permission.CALLS_SUPERVISE,
            "requeue": Permission.CALLS_SUPERVISE,
        },
        "/admin": {"resync": Permission.ACCOUNT_SELF},
    }
    assert {path: cls.permission for path, cls in NAMESPACES.items()} == {
        "/agent": Permission.DESK_USE,
        "/supervisor": Permission.WALLBOARD_VIEW,
        "/admin": Permission.SETTINGS_MANAGE,
    }


@pytest.mark.req("N-SEC-1")
def test_the_app_registers_exactly_the_declared_namespaces(live_server: LiveServer) -> None:
    sio: socketio.AsyncServer = live_server.app.ctx.hub.sio
    assert set(sio.namespace_handlers) == set(NAMESPACES)
    assert all(
        type(handler) is NAMESPACES[path] for path, handler in sio.namespace_handlers.items()
    )


# --- dispatch, walked for every role -------------------------------------------------------


@pytest.mark.req("N-SEC-1", "N-SEC-7")
@pytest.mark.parametrize("role", list(Role))
def test_each_declared_event_is_allowed_iff_the_role_holds_its_permission(role: Role) -> None:
    granted = ROLE_PERMISSIONS[role]

    async def walk() -> None:
        for path, name in declared_pairs():
            declared = NAMESPACES[path].declared[name]
            ns, hub, _server = namespace_for(path, principal_with(role))
            answer = await ns.trigger_event(name, SID, {"text": "お知らせ"})
            if declared.permission in granted:
                assert answer["result"] == HANDLED, (role, path, name, answer)
                assert hub.rejections == []
            else:
                assert answer["error"] == "permission-denied", (role, path, name, answer)
                assert hub.rejections == [(path, "permission-denied", name)]

    asyncio.run(walk())


@pytest.mark.req("N-SEC-1", "N-SEC-7")
@pytest.mark.parametrize("role", list(Role))
def test_each_namespace_accepts_a_connection_iff_the_role_holds_its_permission(
    role: Role,
) -> None:
    environ = {"HTTP_COOKIE": f"other=1; madoguchi_session={TOKEN}", "REMOTE_ADDR": "127.0.0.1"}

    async def walk() -> None:
        for path, cls in NAMESPACES.items():
            ns, hub, server = namespace_for(path, principal_with(role), connected=False)
            if cls.permission in ROLE_PERMISSIONS[role]:
                assert await ns.trigger_event("connect", SID, environ, None) is None
                assert set(server.rooms) == {"all", "user:7", "session:session-7"}
                assert [e for e, _ in server.emitted] == ["snapshot"]
                assert hub.rejections == []
            else:
                with pytest.raises(socketio.exceptions.ConnectionRefusedError) as refused:
                    await ns.trigger_event("connect", SID, environ, None)
                assert refused.value.error_args["data"]["error"] == "permission-denied"
                assert server.rooms == []
                assert server.emitted == []
                assert hub.rejections == [(path, "permission-denied", None)]

    asyncio.run(walk())


@pytest.mark.req("N-SEC-1")
def test_an_event_is_denied_to_a_principal_lacking_only_that_events_permission() -> None:
    watcher = GrantedOnly(
        **vars(principal_with(Role.LEADER)),
        granted=frozenset({Permission.ACCOUNT_SELF, Permission.WALLBOARD_VIEW}),
    )

    async def scenario() -> tuple[Any, Any, list[Any]]:
        ns, hub, _server = namespace_for("/supervisor", watcher)
        announce = await ns.trigger_event("announce", SID, {"text": "x"})
        resync = await ns.trigger_event("resync", SID)
        return announce, resync, hub.rejections

    announce, resync, rejections = asyncio.run(scenario())
    assert announce["error"] == "permission-denied"
    assert resync["result"] == HANDLED
    assert rejections == [("/supervisor", "permission-denied", "announce")]


@pytest.mark.req("N-SEC-1")
def test_second_factor_roles_get_nothing_before_passing_it() -> None:
    pending = principal_with(Role.SUPERVISOR, second_factor_passed=False)

    async def scenario() -> tuple[Any, list[Any]]:
        refusals = []
        for path in NAMESPACES:
            ns, _hub, _server = namespace_for(path, pending, connected=False)
            with pytest.raises(socketio.exceptions.ConnectionRefusedError) as refused:
                await ns.trigger_event(
                    "connect", SID, {"HTTP_COOKIE": f"madoguchi_session={TOKEN}"}
                )
            refusals.append(refused.value.error_args["data"]["error"])
        ns, _hub, _server = namespace_for("/supervisor", pending)
        return await ns.trigger_event("announce", SID, {"text": "x"}), refusals

    announce, refusals = asyncio.run(scenario())
    assert refusals == ["permission-denied"] * len(NAMESPACES)
    assert announce["error"] == "permission-denied"


# --- the same walk over a real server ------------------------------------------------------


@pytest.mark.req("N-SEC-1", "N-SEC-7")
def test_every_role_reaches_exactly_its_namespaces_on_a_real_server(
    live_server: LiveServer,
) -> None:
    secrets = {role: pyotp.random_base32() for role in Role}
    for role in Role:
        add_user(live_server.app, f"u-{role.value}", role, totp_secret=secrets[role])

    async def walk() -> dict[tuple[Role, str], Any]:
        outcomes: dict[tuple[Role, str], Any] = {}
        for role in Role:
            browser = await sign_in(
                live_server.url,
                f"u-{role.value}",
                totp_secret=secrets[role] if needs_second_factor([role]) else None,
            )
            try:
                for path in NAMESPACES:
                    client = HubClient(live_server.url, path, cookie=browser.cookie_header)
                    try:
                        await client.connect()
                    except socketio.exceptions.ConnectionError:
                        outcomes[role, path] = (await client.next("connect_error"))["data"]["error"]
                        await client.close()
                        continue
                    try:
                        snapshot = await client.next("snapshot")
                        resync = await client.call("resync")
                        outcomes[role, path] = (
                            "connected",
                            snapshot["namespace"],
                            resync["namespace"],
                        )
                    finally:
                        await client.close()
            finally:
                await browser.aclose()
        return outcomes

    outcomes = asyncio.run(walk())
    expected = {
        (role, path): ("connected", path, path)
        if cls.permission in ROLE_PERMISSIONS[role]
        else "permission-denied"
        for role in Role
        for path, cls in NAMESPACES.items()
    }
    assert outcomes == expected
    # The table mixes both outcomes, so it says something about every role.
    assert "permission-denied" in outcomes.values()
    assert ("connected", "/admin", "/admin") in outcomes.values()
