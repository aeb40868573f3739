"""The stand-in process: inbound ESL listener, outbound sockets, dialplan and fault injection."""

from __future__ import annotations

import asyncio
import contextlib
import uuid as uuidlib
from dataclasses import dataclass

from switch.esl import encode
from switch.standin.api import Api, parse_dial_string
from switch.standin.apps import Apps
from switch.standin.channels import Channel
from switch.standin.clock import Clock
from switch.standin.connection import Connection
from switch.standin.core import Switch, SwitchConfig


@dataclass
class Outbound:
    """Where the dialplan's ``socket <host>:<port> async full`` connects."""

    host: str
    port: int


DEFAULT_PASSWORD = "ClueCon"  # noqa: S105 - FreeSWITCH's stock event_socket.conf.xml password


class StandInServer:
    """Owns the switch and every ESL connection; implements the connections' Hub."""

    def __init__(
        self,
        *,
        config: SwitchConfig,
        clock: Clock,
        password: str = DEFAULT_PASSWORD,
        host: str = "127.0.0.1",
        port: int = 0,
        outbound: Outbound | None = None,
    ) -> None:
        self._switch = Switch(config, clock)
        self.apps = Apps(self._switch, self.originate)
        self._api = Api(self._switch, self.apps, self.route)
        self.password = password
        self.host = host
        self.port = port
        self.outbound = outbound
        self.stalled = False
        self.deny_all = False
        self.resumed = asyncio.Event()
        self.connections: set[Connection] = set()
        self.sockets: dict[str, Connection] = {}
        self._server: asyncio.Server | None = None
        self._app_queues: dict[str, asyncio.Queue[tuple[str, str, str | None]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._heartbeat: asyncio.Task[None] | None = None
        self._switch.listeners.append(self._deliver)
        self._switch.hangup_hooks.append(self._on_hangup)

    @property
    def switch(self) -> Switch:
        """The switch core."""
        return self._switch

    @property
    def api(self) -> Api:
        """The api command table."""
        return self._api

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen for inbound ESL connections and start the heartbeat."""
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._heartbeat = asyncio.ensure_future(self._beat())

    async def stop(self) -> None:
        """Close everything (no notices: the process goes away)."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self.drop_connections()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for task in list(self._tasks) + list(self._api.tasks):
            task.cancel()

    async def restart(self) -> None:
        """FreeSWITCH restarted: connections and channels gone, new Core-UUID, same port."""
        await self.stop()
        self._switch.reset()
        self._app_queues.clear()
        self.stalled = False
        await self.start()

    def drop_connections(self) -> None:
        """Abort every ESL TCP connection, inbound and outbound, without notice."""
        for conn in list(self.connections):
            conn.abort()
        self.connections.clear()

    def stall(self) -> None:
        """Stop reading and writing on every connection without closing them."""
        self.stalled = True
        self.resumed.clear()

    def resume(self) -> None:
        """Undo :meth:`stall`: held output is written, commands are read again."""
        self.stalled = False
        self.resumed.set()
        for conn in list(self.connections):
            conn.send(b"")

    def _spawn(self, coro: asyncio.Future[None] | object) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.deny_all:
            # mod_event_socket's ACL check in listener_run: a rude rejection, then close.
            writer.write(encode.rude_rejection())
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()
            return
        conn = Connection(self, reader, writer)
        self.connections.add(conn)
        with contextlib.suppress(asyncio.CancelledError):
            await conn.serve()

    async def connection_closed(self, conn: Connection) -> None:
        """Forget a finished connection; an outbound socket's channel may hang up."""
        self.connections.discard(conn)
        ch = conn.channel
        if ch is not None and self.sockets.get(ch.uuid) is conn:
            del self.sockets[ch.uuid]
        with contextlib.suppress(Exception):
            conn.writer.close()

    async def _beat(self) -> None:
        interval = self._switch.config.heartbeat_interval
        while True:
            await self._switch.clock.sleep(interval)
            if not self.stalled:
                self._switch.heartbeat()

    def _deliver(self, event: object) -> None:
        from switch.standin.events import FsEvent

        if isinstance(event, FsEvent):
            for conn in list(self.connections):
                conn.deliver(event)

    # -- applications -------------------------------------------------------------------------

    def queue_app(self, ch: Channel, app: str, arg: str, app_uuid: str | None) -> None:
        """Queue an application on a channel (sendmsg execute); they run one after another."""
        queue = self._app_queues.get(ch.uuid)
        if queue is None:
            queue = self._app_queues[ch.uuid] = asyncio.Queue()
            self._spawn(self._run_apps(ch, queue))
        queue.put_nowait((app, arg, app_uuid))

    async def _run_apps(
        self, ch: Channel, queue: asyncio.Queue[tuple[str, str, str | None]]
    ) -> None:
        while ch.alive or not queue.empty():
            app, arg, app_uuid = await queue.get()
            await self.apps.execute(ch, app, arg, app_uuid=app_uuid)
            if not ch.alive:
                break
        self._app_queues.pop(ch.uuid, None)

    def _on_hangup(self, ch: Channel) -> None:
        conn = self.sockets.get(ch.uuid)
        if conn is None:
            return
        if conn.linger is not None:
            conn.send(
                encode.linger_notice(
                    controlled_session_uuid=ch.uuid, channel_name=ch.name, linger_time=conn.linger
                )
            )
            if conn.linger > 0:
                self._spawn(self._close_after(conn, conn.linger))
        else:
            self._spawn(conn.disconnect())

    async def _close_after(self, conn: Connection, seconds: int) -> None:
        await self._switch.clock.sleep(seconds)
        await conn.disconnect()

    # -- dialplan -----------------------------------------------------------------------------

    async def route(self, ch: Channel, dest: str) -> None:
        """The stand-in's dialplan: agent extensions bridge, the rest go to the socket."""
        if dest in self._switch.agents:
            await self.apps.execute(ch, "bridge", f"user/{dest}")
            return
        if self.outbound is not None:
            await self.socket(ch)
            return
        await self.apps.execute(ch, "park", "")

    async def socket(self, ch: Channel) -> None:
        """The ``socket`` application: connect to the app, serve it until it goes away."""
        out = self.outbound
        if out is None:
            return
        arg = f"{out.host}:{out.port} async full"
        ch.variables["socket_host"] = out.host
        app_uuid = str(uuidlib.uuid4())
        ch.variables["current_application"] = "socket"
        ch.variables["current_application_data"] = arg
        self._switch.fire(
            "CHANNEL_EXECUTE",
            ch,
            post=[
                ("Application", "socket"),
                ("Application-Data", arg),
                ("Application-UUID", app_uuid),
            ],
        )
        try:
            reader, writer = await asyncio.open_connection(out.host, out.port)
        except OSError:
            self._switch.fire(
                "CHANNEL_EXECUTE_COMPLETE",
                ch,
                post=[
                    ("Application", "socket"),
                    ("Application-Data", arg),
                    ("Application-Response", "_none_"),
                    ("Application-UUID", app_uuid),
                ],
            )
            self._switch.hangup(ch, "DESTINATION_OUT_OF_ORDER")
            return
        conn = Connection(self, reader, writer, channel=ch)
        self.connections.add(conn)
        self.sockets[ch.uuid] = conn
        # Async mode (socket_function in mod_event_socket.c): the listener thread serves the
        # socket while the session parks; queued applications run nested inside that park,
        # and the socket application returns when the channel hangs up (the socket itself may
        # linger) or when the application closes the socket.
        serving = asyncio.ensure_future(conn.serve())
        self._tasks.add(serving)
        serving.add_done_callback(self._tasks.discard)
        ch.apps_running += 1
        try:
            ended = self._switch.ended.get(ch.uuid)
            waiters: set[asyncio.Future[object]] = {serving}  # type: ignore[arg-type]
            if ended is not None:
                waiters.add(asyncio.ensure_future(ended.wait()))
            _done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                if task is not serving:
                    task.cancel()
            while ch.apps_running > 1 and not ch.alive:
                ch.app_returned.clear()
                await ch.app_returned.wait()
        finally:
            ch.apps_running -= 1
        self._switch.fire(
            "CHANNEL_EXECUTE_COMPLETE",
            ch,
            post=[
                ("Application", "socket"),
                ("Application-Data", arg),
                ("Application-Response", "_none_"),
                ("Application-UUID", app_uuid),
            ],
        )
        if not ch.alive:
            self._switch.finish_hangup(ch)
            return
        if ch.bridged_to is None:
            await self.after_socket(ch)

    async def after_socket(self, ch: Channel) -> None:
        """The dialplan goes on after ``socket`` returned with the channel up.

        freeswitch-conf's next action is ``transfer degraded XML madoguchi_degraded``, whose
        first extension parks a caller that had joined a queue (``madoguchi_queue_id`` set) so
        a new leader can take it over. Otherwise the stand-in ends the call (its short form of
        the degraded guidance), unless applications the socket queued are still there."""
        if ch.variables.get("madoguchi_queue_id"):
            await self.apps.execute(ch, "park", "")
            return
        if ch.uuid not in self._app_queues:
            self._switch.hangup(ch, "NORMAL_CLEARING")

    async def originate(
        self,
        dial: str,
        *,
        origin: Channel | None = None,
        cid_name: str | None = None,
        cid_num: str | None = None,
        ring_limit: float | None = None,
    ) -> tuple[Channel | None, str]:
        """switch_ivr_originate for one endpoint: the new answered leg, or None and a cause."""
        sw = self._switch
        variables, endpoint = parse_dial_string(dial)
        tech, _, target = endpoint.partition("/")
        if tech == "error":
            return None, target.upper() or "DESTINATION_OUT_OF_ORDER"
        agent = None
        if tech == "user":
            ext = target.split("@")[0]
            agent = sw.agents.get(ext)
            if agent is None:
                return None, "USER_NOT_REGISTERED"
            name = f"sofia/internal/sip:{ext}@{sw.config.ipv4}:5070"
            number = ext
        elif tech in ("sofia", "loopback"):
            number = target.rsplit("/", 1)[-1].split("@")[0]
            name = endpoint
        else:
            return None, "CHAN_NOT_IMPLEMENTED"
        caller_name = (
            variables.get("origination_caller_id_name")
            or cid_name
            or (origin.profile.caller_id_name if origin is not None else "FreeSWITCH")
        )
        caller_num = (
            variables.get("origination_caller_id_number")
            or cid_num
            or (origin.profile.caller_id_number if origin is not None else "0000000000")
        )
        ch = sw.new_channel(
            direction="outbound",
            caller_name=caller_name,
            caller_number=caller_num,
            destination=number,
            name=name,
            network_addr=sw.config.ipv4,
            uuid=variables.get("origination_uuid"),
            call_uuid=origin.uuid if origin is not None else None,
            variables={k: v for k, v in variables.items()},
        )
        ch.profile.callee_id_name = "Outbound Call"
        ch.profile.callee_id_number = number
        if origin is not None:
            ch.other, ch.other_type = origin, "originator"
            ch.variables["originator"] = origin.uuid
            ch.variables["originating_leg_uuid"] = origin.uuid
        sw.init(ch)
        sw.ring(ch)
        if number in sw.busy_numbers:
            await sw.clock.sleep(0.2)
            sw.hangup(ch, "USER_BUSY")
            return None, "USER_BUSY"
        limit = ring_limit or float(
            variables.get("originate_timeout", variables.get("call_timeout", "60"))
        )
        auto = agent.auto_answer if agent is not None else True
        auto = auto or variables.get("sip_auto_answer", "").lower() == "true"
        delay = agent.answer_delay if agent is not None else sw.config.remote_answer_delay
        if auto and delay <= limit:
            alive = await sw.wait_or_hangup(ch, delay)
            if not alive:
                return None, ch.hangup_cause or "ORIGINATOR_CANCEL"
            sw.answer(ch)
        else:
            alive = await sw.wait_or_hangup(ch, limit)
            if ch.answer_state != "answered":
                if ch.alive:
                    sw.hangup(ch, "NO_ANSWER")
                return None, "NO_ANSWER"
        return ch, "SUCCESS"
