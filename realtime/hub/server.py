"""The Socket.IO server and its namespaces.

- One namespace per audience: /agent, /supervisor, /admin. Sign-in is checked on connect.
- Rooms: ``user:<id>``, ``session:<id>``, ``all``; later features add ``queue:<id>``.
- Every event a client may send is declared with :func:`event` and the permission it needs;
  anything else is refused and audited. The principal is re-read from the database for each
  event, so a revoked session can do nothing.
- A full snapshot is sent on every (re)connect.
- With REDIS_URL, python-socketio's AsyncRedisManager lets several processes share rooms.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, ClassVar

import socketio

from realtime.audit import service as audit
from realtime.auth import service as auth
from realtime.auth.permissions import Permission
from realtime.errors import MadoguchiError, NotAuthenticated, PermissionDenied, SessionExpired
from realtime.timeutil import utcnow

log = logging.getLogger(__name__)

Handler = Callable[[Any, str, auth.Principal, Any], Awaitable[Any]]
SnapshotProvider = Callable[[auth.Principal], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class DeclaredEvent:
    name: str
    permission: Permission
    handler: Handler


def event(name: str, *, permission: Permission) -> Callable[[Handler], Handler]:
    """Declare a client event and the permission it needs."""

    def mark(fn: Handler) -> Handler:
        fn.__declared_event__ = DeclaredEvent(name, permission, fn)  # type: ignore[attr-defined]
        return fn

    return mark


class UnknownEvent(MadoguchiError):
    error_id = "unknown-event"
    status_code = 400
    message_ja = "不明な操作です。"


class AudienceNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """Base of the namespaces: auth on connect, declared events only."""

    permission: ClassVar[Permission]
    declared: ClassVar[dict[str, DeclaredEvent]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared: dict[str, DeclaredEvent] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                marker = getattr(attr, "__declared_event__", None)
                if isinstance(marker, DeclaredEvent):
                    declared[marker.name] = marker
        cls.declared = declared

    def __init__(self, namespace: str, hub: Hub) -> None:
        super().__init__(namespace)
        self.hub = hub

    async def trigger_event(self, event_name: str, *args: Any) -> Any:
        sid = args[0]
        # python-socketio hands a client's events named "connect" or "disconnect" to this same
        # method; only a socket not yet (or no longer) fully connected is in a lifecycle step.
        if not self.server.manager.is_connected(sid, self.namespace):
            if event_name == "connect":
                return await self._connect(sid, args[1])
            if event_name == "disconnect":
                self.hub.forget(sid)
                return None
        data = args[1] if len(args) > 1 else None
        principal: auth.Principal | None = None
        try:
            principal = await self._principal_for(sid)
            declared = self.declared.get(event_name)
            if declared is None:
                raise UnknownEvent(event=event_name[:64])
            if not principal.can(declared.permission):
                raise PermissionDenied(event=event_name, permission=declared.permission.value)
            return await declared.handler(self, sid, principal, data)
        except MadoguchiError as exc:
            await self.hub.audit_rejection(
                sid=sid,
                namespace=self.namespace,
                error=exc,
                principal=principal,
                event=event_name,
            )
            return exc.public()

    async def _connect(self, sid: str, environ: dict[str, Any]) -> None:
        token = _cookie(environ, self.hub.session_cookie_name)
        principal: auth.Principal | None = None
        try:
            if not token:
                raise NotAuthenticated()
            principal = await self.hub.load_principal(token)
            if not principal.can(self.permission):
                raise PermissionDenied(namespace=self.namespace)
        except MadoguchiError as exc:
            await self.hub.audit_rejection(
                sid=sid,
                namespace=self.namespace,
                error=exc,
                principal=principal,
                ip=str(environ.get("REMOTE_ADDR", "")),
            )
            # Two arguments: the client's connect_error handler gets {"message", "data"}, with
            # the error id in data (one argument would arrive as the str() of the dict).
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.public()) from None
        await self.save_session(sid, {"token": token})
        self.hub.remember(sid, namespace=self.namespace, principal=principal)
        for room in ("all", f"user:{principal.user_id}", f"session:{principal.session_id}"):
            await self.enter_room(sid, room)
        await self.emit("snapshot", await self.hub.snapshot(self.namespace, principal), to=sid)

    async def _principal_for(self, sid: str) -> auth.Principal:
        stored = await self.get_session(sid)
        return await self.hub.load_principal(stored["token"])

    @event("resync", permission=Permission.ACCOUNT_SELF)
    async def on_resync(self, sid: str, principal: auth.Principal, _data: Any) -> dict[str, Any]:
        """Send the full state again (after a suspected gap)."""
        return await self.hub.snapshot(self.namespace, principal)


class AgentNamespace(AudienceNamespace):
    permission = Permission.DESK_USE

    # Call path (switch/callpath): the desk accepts an offered call and sets its own state.
    @event("accept", permission=Permission.DESK_USE)
    async def on_accept(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Accept the call offered to this agent (its phone is rung and bridged)."""
        return await self.hub.desk_action("accept", principal=principal, data=data)

    @event("ready", permission=Permission.DESK_USE)
    async def on_ready(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Ready for calls (after wrap-up only once the history is saved)."""
        return await self.hub.desk_action("ready", principal=principal, data=data)

    @event("not_ready", permission=Permission.DESK_USE)
    async def on_not_ready(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Not ready, with a reason code (``{"reason": "break"}``)."""
        return await self.hub.desk_action("not_ready", principal=principal, data=data)

    @event("transfer", permission=Permission.DESK_USE)
    async def on_transfer(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Transfer the call: blind / consult (dept_id, queue_id or agent), complete, cancel."""
        return await self.hub.desk_action("transfer", principal=principal, data=data)

    # Survey (switch/callpath/survey.py): hand the connected caller to the satisfaction survey.
    @event("survey", permission=Permission.DESK_USE)
    async def on_survey(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Pass the caller to the post-call survey instead of hanging up (N-SURVEY-1)."""
        return await self.hub.desk_action("survey", principal=principal, data=data)


class SupervisorNamespace(AudienceNamespace):
    permission = Permission.WALLBOARD_VIEW

    @event("announce", permission=Permission.ANNOUNCE)
    async def on_announce(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Send a notice to every agent desk."""
        text = data.get("text") if isinstance(data, dict) else None
        return await self.hub.announce(principal=principal, text=text)

    # Call path supervision (switch/callpath/supervise.py): the same actions as the HTTP routes.
    @event("supervise", permission=Permission.CALLS_SUPERVISE)
    async def on_supervise(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Listen, whisper or barge: ``{"contact_id", "mode"}`` (again: switch the mode)."""
        return await self.hub.supervisor_action("supervise", principal=principal, data=data)

    @event("supervise_stop", permission=Permission.CALLS_SUPERVISE)
    async def on_supervise_stop(
        self, sid: str, principal: auth.Principal, data: Any
    ) -> dict[str, Any]:
        """Leave a monitored call: ``{"contact_id"}``."""
        return await self.hub.supervisor_action("supervise_stop", principal=principal, data=data)

    @event("force_not_ready", permission=Permission.CALLS_SUPERVISE)
    async def on_force_not_ready(
        self, sid: str, principal: auth.Principal, data: Any
    ) -> dict[str, Any]:
        """Take a ready agent out of distribution: ``{"agent", "reason"}``."""
        return await self.hub.supervisor_action("force_not_ready", principal=principal, data=data)

    @event("requeue", permission=Permission.CALLS_SUPERVISE)
    async def on_requeue(self, sid: str, principal: auth.Principal, data: Any) -> dict[str, Any]:
        """Send a waiting or ringing call back to a queue: ``{"contact_id", "queue_id"?}``."""
        return await self.hub.supervisor_action("requeue", principal=principal, data=data)


class AdminNamespace(AudienceNamespace):
    permission = Permission.SETTINGS_MANAGE


NAMESPACES: dict[str, type[AudienceNamespace]] = {
    "/agent": AgentNamespace,
    "/supervisor": SupervisorNamespace,
    "/admin": AdminNamespace,
}


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    raw = environ.get("HTTP_COOKIE", "")
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


@dataclass(frozen=True)
class LocalSocket:
    namespace: str
    session_id: str
    user_id: int


class Hub:
    """Owns the Socket.IO server; other packages emit through it."""

    def __init__(self, *, ctx: Any) -> None:
        from realtime.hub import announcements

        self.ctx = ctx
        self._local: dict[str, LocalSocket] = {}
        settings = ctx.settings
        manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
        public_origin = settings.public_url.rstrip("/")

        def same_site(origin: str | None, environ: dict[str, Any]) -> bool:
            """The public URL, or the host the browser actually reached (as the CSRF check)."""
            scope = environ.get("asgi.scope", {})
            scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
            return origin in (public_origin, f"{scheme}://{environ.get('HTTP_HOST', '')}")

        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            transports=["websocket"],
            cors_allowed_origins=same_site,
            logger=False,
            engineio_logger=False,
        )
        self._providers: dict[str, list[SnapshotProvider]] = {ns: [] for ns in NAMESPACES}
        for path, cls in NAMESPACES.items():
            self.sio.register_namespace(cls(path, self))
        self._announcements = announcements

    @property
    def session_cookie_name(self) -> str:
        name: str = self.ctx.session_cookie_name
        return name

    def add_snapshot_provider(self, namespace: str, provider: SnapshotProvider) -> None:
        """Let a feature add its part to the snapshot of a namespace."""
        self._providers[namespace].append(provider)

    async def load_principal(self, token: str) -> auth.Principal:
        def load() -> auth.Principal:
            with self.ctx.db.session() as session:
                return auth.load_principal(session, token=token, policy=self.ctx.session_policy)

        try:
            principal: auth.Principal = await self.ctx.db.run(load)
        except SessionExpired:
            raise
        return principal

    async def snapshot(self, namespace: str, principal: auth.Principal) -> dict[str, Any]:
        state: dict[str, Any] = {
            "namespace": namespace,
            "server_time": utcnow().isoformat(),
            "user": {
                "display_name": principal.display_name,
                "roles": sorted(r.value for r in principal.roles),
            },
            "announcements": await self.ctx.db.run(self._announcements.recent_public, self.ctx),
        }
        for provider in self._providers[namespace]:
            state.update(await provider(principal))
        return state

    async def emit(self, name: str, data: Any, *, namespace: str, room: str | None = None) -> None:
        """Emit to a room of a namespace (crosses processes when Redis is configured)."""
        await self.sio.emit(name, data, namespace=namespace, to=room)

    async def desk_action(
        self, action: str, *, principal: auth.Principal, data: Any
    ) -> dict[str, Any]:
        """A call-path desk event (switch/callpath): accept, ready, not_ready."""
        from switch.callpath.desk import socket_action

        return await socket_action(self.ctx, action, principal, data)

    async def supervisor_action(
        self, action: str, *, principal: auth.Principal, data: Any
    ) -> dict[str, Any]:
        """A call-path supervisor event (switch/callpath/supervise_api.py)."""
        from switch.callpath.supervise_api import socket_action

        return await socket_action(self.ctx, action, principal, data)

    async def announce(self, *, principal: auth.Principal, text: Any) -> dict[str, Any]:
        item = await self.ctx.db.run(
            self._announcements.create, self.ctx, author=principal.username, text=text
        )
        await self.emit("announcement", item, namespace="/agent", room="all")
        await self.emit("announcement", item, namespace="/supervisor", room="all")
        return {"ok": True, "announcement": item}

    def remember(self, sid: str, *, namespace: str, principal: auth.Principal) -> None:
        """Track a socket connected to this process (for sign-out and the revocation sweep)."""
        self._local[sid] = LocalSocket(namespace, principal.session_id, principal.user_id)

    def forget(self, sid: str) -> None:
        local = self._local.pop(sid, None)
        if local is not None and local.namespace == "/agent":
            from switch.callpath.desk import socket_left

            others = any(
                v.user_id == local.user_id and v.namespace == "/agent" for v in self._local.values()
            )
            socket_left(self.ctx, local.user_id, still_connected=others)

    async def _drop(self, sids: list[str]) -> None:
        for sid in sids:
            local = self._local.pop(sid, None)
            if local is not None:
                await self.sio.disconnect(sid, namespace=local.namespace)

    async def end_session(self, session_id: str) -> None:
        """Tell every socket of a signed-out session to close, and close this process's ones.

        Sockets of the session on other processes get the notice through Redis and are closed
        by their own process's revocation sweep."""
        for namespace in NAMESPACES:
            await self.emit("session_ended", {}, namespace=namespace, room=f"session:{session_id}")
        await self._drop([s for s, v in self._local.items() if v.session_id == session_id])

    async def end_user(self, user_id: int) -> None:
        """Close every socket of a user (disabled by an administrator)."""
        for namespace in NAMESPACES:
            await self.emit("session_ended", {}, namespace=namespace, room=f"user:{user_id}")
        await self._drop([s for s, v in self._local.items() if v.user_id == user_id])

    async def sweep_revoked(self) -> int:
        """Close this process's sockets whose session was revoked, expired or whose user was
        disabled (by any process); returns how many were closed."""
        if not self._local:
            return 0
        ids = {v.session_id for v in self._local.values()}

        def live() -> set[str]:
            with self.ctx.db.session() as session:
                return auth.live_session_ids(
                    session, session_ids=ids, policy=self.ctx.session_policy
                )

        alive = await self.ctx.db.run(live)
        dead = [s for s, v in self._local.items() if v.session_id not in alive]
        for sid in dead:
            local = self._local[sid]
            await self.emit("session_ended", {}, namespace=local.namespace, room=sid)
        await self._drop(dead)
        return len(dead)

    async def run_sweeper(self, interval: float) -> None:
        """Sweep forever (started by the app's lifespan)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep_revoked()
            except Exception:  # the sweep must outlive a database hiccup; it retries next time
                log.exception("socket revocation sweep failed")

    async def audit_rejection(
        self,
        *,
        sid: str,
        namespace: str,
        error: MadoguchiError,
        principal: auth.Principal | None = None,
        event: str | None = None,
        ip: str = "",
    ) -> None:
        """Record a refused connection or event, naming the user when the session was valid."""

        def write() -> None:
            with self.ctx.db.session() as session:
                audit.record(
                    session,
                    actor=principal.username if principal else "-",
                    action="socket-rejected",
                    outcome="denied",
                    target=namespace,
                    ip=ip[:64],
                    detail={
                        "error": error.error_id,
                        "sid": sid,
                        **({"event": event[:64]} if event is not None else {}),
                        **_safe(error.data),
                    },
                )

        await self.ctx.db.run(write)


def _safe(data: dict[str, Any]) -> dict[str, str]:
    return {k: str(v)[:100] for k, v in data.items() if k in {"event", "permission", "namespace"}}
