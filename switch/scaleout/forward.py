"""Desk and supervisor commands from a follower process to the leader, over Redis.

A command method of the call path (or of any part that runs only on the leader) is marked
``@forward_to_leader("name")``. On the leader (or with no election at all) it runs as written.
On a follower it is sent to the leader and the leader's answer (or error) comes back:

- request: ``PUBLISH madoguchi:switch:commands {id, action, principal, args, reply_to,
  deadline}``; ``PUBLISH`` returns how many subscribers got it, and only the leader subscribes,
  so 0 means no leader: 503 ``switch-leader-unavailable`` at once;
- reply: ``PUBLISH <reply_to> {id, result}`` or ``{id, error: {error_id, status, message,
  fields}}`` on the follower's own reply channel; no reply within
  ``MADOGUCHI_LEADER_FORWARD_TIMEOUT_SECONDS``: 503 ``switch-leader-unavailable``.

A request past its deadline is dropped by the leader (the follower has already answered 503),
so a late leader never runs a command the user was told had failed. Redis is trusted like the
database (same network; the principal in a request is the one the follower authenticated).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
import uuid as uuid_mod
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from realtime.auth.permissions import Role
from realtime.auth.service import Principal
from realtime.errors import MadoguchiError

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

COMMANDS = "madoguchi:switch:commands"
REPLIES = "madoguchi:switch:reply:"

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class LeaderUnavailable(MadoguchiError):
    """No switch leader answered a forwarded command."""

    error_id = "switch-leader-unavailable"
    status_code = 503
    temporary = True
    message_ja = "電話システムの主系サーバーに接続できません。しばらくしてから再度お試しください。"


class ForwardedError(MadoguchiError):
    """An error the leader raised for a forwarded command, re-raised on the follower with the
    leader's id, status and message (see :func:`forwarded_error`)."""


@functools.cache
def _error_class(error_id: str, status: int) -> type[ForwardedError]:
    attrs = {"error_id": error_id, "status_code": status}
    return cast("type[ForwardedError]", type("ForwardedError", (ForwardedError,), attrs))


def forwarded_error(data: dict[str, Any]) -> ForwardedError:
    """The leader's error (its public body plus status) as an exception on the follower."""
    status = data.get("status")
    cls = _error_class(str(data.get("error_id", "internal-error")), int(status or 500))
    fields = data.get("fields")
    extra = {"fields": fields} if isinstance(fields, dict) else {}
    return cls(str(data.get("message") or "") or None, **extra)


def principal_to_json(principal: Principal) -> dict[str, Any]:
    """A principal as plain JSON (roles by value)."""
    data = asdict(principal)
    data["roles"] = sorted(r.value for r in principal.roles)
    return data


def principal_from_json(data: dict[str, Any]) -> Principal:
    """The principal a follower authenticated, rebuilt on the leader."""
    return Principal(
        user_id=int(data["user_id"]),
        username=str(data["username"]),
        display_name=str(data["display_name"]),
        roles=frozenset(Role(r) for r in data["roles"]),
        session_id=str(data["session_id"]),
        second_factor_passed=bool(data["second_factor_passed"]),
        totp_enabled=bool(data["totp_enabled"]),
        must_change_password=bool(data["must_change_password"]),
    )


@dataclass(frozen=True)
class Registered:
    """A command the leader can run: the undecorated function and where its object lives."""

    fn: Callable[..., Awaitable[Any]]
    target: str
    """Key of the object in ``ctx.extras`` whose method ``fn`` is."""


REGISTRY: dict[str, Registered] = {}
"""Every command name marked with :func:`forward_to_leader` (filled at import time)."""


def forward_to_leader(
    action: str, *, target: str = "callpath", local_fallback: bool = False
) -> Callable[[F], F]:
    """Mark ``async def method(self, principal, **kwargs)`` as a leader-only command.

    ``self`` must have ``ctx`` (the app context). On a follower the call goes to the leader
    (keyword arguments must be JSON); ``local_fallback`` runs it locally when no leader answers
    (for read-only snapshots, which must not fail a socket's connect)."""

    def wrap(fn: F) -> F:
        REGISTRY[action] = Registered(fn=fn, target=target)

        @functools.wraps(fn)
        async def run(self: Any, principal: Principal, **kwargs: Any) -> Any:
            gate = self.ctx.extras.get("switch_leader")
            if gate is None or gate.is_leader:
                return await fn(self, principal, **kwargs)
            try:
                return await gate.forward(action, principal, kwargs)
            except LeaderUnavailable:
                if not local_fallback:
                    raise
                return await fn(self, principal, **kwargs)

        return cast(F, run)

    return wrap


async def run_registered(extras: dict[str, Any], request: dict[str, Any]) -> Any:
    """Run one forwarded command on the leader."""
    action = str(request.get("action"))
    entry = REGISTRY.get(action)
    if entry is None:
        raise LeaderUnavailable(action=action[:40])
    target = extras.get(entry.target)
    if target is None:
        raise LeaderUnavailable(target=entry.target)
    principal = principal_from_json(dict(request["principal"]))
    args = request.get("args") or {}
    return await entry.fn(target, principal, **dict(args))


class CommandBus:
    """Redis pub/sub request/reply between the processes (one per process)."""

    def __init__(self, redis_url: str, *, timeout_s: float) -> None:
        import redis.asyncio as aioredis

        self._redis: aioredis.Redis = aioredis.from_url(redis_url, socket_connect_timeout=2)
        self.timeout_s = timeout_s
        self.reply_channel = REPLIES + uuid_mod.uuid4().hex
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._replies: asyncio.Task[None] | None = None
        self._serving: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._subscribed = asyncio.Event()

    # -- follower side ------------------------------------------------------------------------

    async def call(self, action: str, principal: Principal, args: dict[str, Any]) -> Any:
        """Send a command to the leader and wait for its answer (or a 503)."""
        if self._replies is None or self._replies.done():
            self._subscribed.clear()
            self._replies = asyncio.create_task(self._listen_replies())
        await asyncio.wait_for(self._subscribed.wait(), self.timeout_s)
        request_id = uuid_mod.uuid4().hex
        request = {
            "id": request_id,
            "action": action,
            "principal": principal_to_json(principal),
            "args": args,
            "reply_to": self.reply_channel,
            "deadline": time.time() + self.timeout_s,
        }
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            try:
                receivers = await self._redis.publish(COMMANDS, json.dumps(request))
            except OSError as exc:
                raise LeaderUnavailable(cause=type(exc).__name__) from None
            if not receivers:
                raise LeaderUnavailable(action=action)
            try:
                reply = await asyncio.wait_for(future, self.timeout_s)
            except TimeoutError:
                raise LeaderUnavailable(action=action, timeout_s=self.timeout_s) from None
        finally:
            self._pending.pop(request_id, None)
        if "error" in reply:
            raise forwarded_error(dict(reply["error"]))
        return reply.get("result")

    async def _listen_replies(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.reply_channel)
            self._subscribed.set()
            async for message in pubsub.listen():
                try:
                    reply = json.loads(message["data"])
                except (TypeError, ValueError):
                    continue
                future = self._pending.get(str(reply.get("id")))
                if future is not None and not future.done():
                    future.set_result(reply)
        finally:
            self._subscribed.clear()
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    # -- leader side --------------------------------------------------------------------------

    async def serve(self, extras: dict[str, Any]) -> None:
        """Start answering commands (the leader only); returns once subscribed."""
        ready = asyncio.Event()
        self._serving = asyncio.create_task(self._serve(extras, ready))
        waiter = asyncio.ensure_future(ready.wait())
        await asyncio.wait({waiter, self._serving}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._serving.done():
            self._serving.result()

    async def _serve(self, extras: dict[str, Any], ready: asyncio.Event) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(COMMANDS)
            ready.set()
            async for message in pubsub.listen():
                try:
                    request = json.loads(message["data"])
                except (TypeError, ValueError):
                    continue
                if not isinstance(request, dict) or float(request.get("deadline", 0)) < time.time():
                    continue
                task = asyncio.create_task(self._answer(extras, request))
                self._handlers.add(task)
                task.add_done_callback(self._handlers.discard)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _answer(self, extras: dict[str, Any], request: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"id": request.get("id")}
        try:
            reply["result"] = await run_registered(extras, request)
        except MadoguchiError as exc:
            body = exc.public()
            reply["error"] = {
                "error_id": exc.error_id,
                "status": exc.status_code,
                "message": body.get("message"),
                "fields": body.get("fields"),
            }
        except Exception:
            log.exception("forwarded command %s failed", request.get("action"))
            reply["error"] = {"error_id": "internal-error", "status": 500, "message": None}
        with contextlib.suppress(Exception):
            await self._redis.publish(str(request.get("reply_to")), json.dumps(reply))

    async def stop_serving(self) -> None:
        """Stop answering (stepping down or shutting down)."""
        for task in [self._serving, *self._handlers]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._serving = None

    async def close(self) -> None:
        """Stop everything and close the Redis connections."""
        await self.stop_serving()
        if self._replies is not None:
            self._replies.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._replies
        for future in self._pending.values():
            if not future.done():
                future.cancel()
        await self._redis.aclose()
