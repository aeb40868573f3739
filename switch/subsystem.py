"""The switch as a background part of the server: ESL client, outbound server, stand-in.

``build(ctx)`` returns None when ``switch_mode`` is ``off``, or ``freeswitch`` without an ESL
password. With ``standin`` (development and the demo only; production settings refuse it) an
in-process FreeSWITCH stand-in listens on a free loopback port and the client connects to it.
Ready means: an authenticated, reconciled ESL connection is up.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from switch.connection.client import ClientConfig, EslClient
from switch.connection.control import CallControl
from switch.connection.errors import NotConnected
from switch.connection.outbound import OutboundServer, OutboundSession, SessionHandler
from switch.standin import FreeSwitchStandIn

if TYPE_CHECKING:
    from realtime.http.context import AppContext
    from realtime.settings import Settings

log = logging.getLogger(__name__)

COUNTERS = (
    ("events_received", "Events read from FreeSWITCH"),
    ("events_dropped", "Events dropped because the server fell behind"),
    ("malformed_frames", "ESL frames that could not be parsed (connection replaced)"),
    ("malformed_events", "Event bodies that could not be parsed (event dropped)"),
    ("partial_frames", "Connections that ended inside a frame"),
    ("unknown_frames", "Frames of an unexpected type"),
    ("connects", "Successful ESL connections"),
    ("connect_failures", "Failed ESL connection attempts"),
    ("auth_failures", "ESL authentications refused"),
    ("rude_rejections", "ESL connections refused by FreeSWITCH's ACL"),
    ("disconnects", "ESL connections lost"),
    ("silent_disconnects", "ESL connections replaced after a silence (no HEARTBEAT)"),
    ("reconciliations", "Reconciliations with show channels after a (re)connect"),
    ("reconciled_events", "Events synthesised by reconciliation"),
    ("error_replies", "-ERR replies to commands"),
    ("handler_errors", "Event handlers that raised"),
)


class Companion(Protocol):
    """Something started and stopped with the switch."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def split_host_port(value: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) into its parts."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"not host:port: {value!r}")
    return host.strip("[]"), int(port)


async def hold_until_hangup(session: OutboundSession) -> None:
    """Default call handler: keep the socket until the call ends (control goes via ESL)."""
    await session.wait_closed()


class SwitchCollector(Collector):
    """Prometheus view of the connection counters (read at scrape time)."""

    def __init__(self, subsystem: SwitchSubsystem) -> None:
        self._subsystem = subsystem

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        client = self._subsystem.client.metrics.snapshot()
        outbound = self._subsystem.outbound.metrics.snapshot()
        for name, doc in COUNTERS:
            family = CounterMetricFamily(f"madoguchi_switch_{name}", doc, labels=["link"])
            family.add_metric(["inbound"], client[name])
            family.add_metric(["outbound"], outbound[name])
            yield family
        reconnects = CounterMetricFamily(
            "madoguchi_switch_reconnects", "ESL connections made after the first"
        )
        reconnects.add_metric([], max(0, client["connects"] - 1))
        yield reconnects
        up = GaugeMetricFamily("madoguchi_switch_connected", "1 while ESL is connected")
        up.add_metric([], 1 if self._subsystem.client.connected else 0)
        yield up
        sessions = GaugeMetricFamily("madoguchi_switch_sessions", "Open outbound sessions")
        sessions.add_metric([], len(self._subsystem.outbound.sessions))
        yield sessions


class SwitchSubsystem:
    """Owns the ESL client, the outbound-socket server and (in standin mode) the stand-in."""

    name = "switch"

    def __init__(self, settings: Settings, *, password: str, standin: bool) -> None:
        self.settings = settings
        self._password = password
        self._standin_mode = standin
        self._handler: SessionHandler = hold_until_hangup
        host, port = split_host_port(settings.outbound_socket)
        self.outbound = OutboundServer(self._dispatch, host=host, port=0 if standin else port)
        self.standin: FreeSwitchStandIn | None = None
        self.client = EslClient(
            ClientConfig(
                host="127.0.0.1" if standin else settings.esl_host,
                port=settings.esl_port,
                password=password,
                silence_timeout=settings.esl_silence_timeout_s,
            )
        )
        self.control = CallControl(self.client)
        self._companions: list[Companion] = []

    def add_companion(self, part: Companion) -> None:
        """A part that runs with the switch (the call path): started after it, stopped first."""
        self._companions.append(part)

    def set_session_handler(self, handler: SessionHandler) -> None:
        """Who runs the calls FreeSWITCH hands to the outbound socket (the IVR)."""
        self._handler = handler

    async def _dispatch(self, session: OutboundSession) -> None:
        await self._handler(session)

    async def start(self) -> None:
        """Listen for outbound sockets, start the stand-in if asked, connect to ESL."""
        await self.outbound.start()
        if self._standin_mode:
            self.standin = FreeSwitchStandIn(
                password=self._password,
                host="127.0.0.1",
                port=0,
                outbound=("127.0.0.1", self.outbound.port),
                media_dir=self.settings.data_dir / "standin-media",
                scale=self.settings.switch_standin_scale,
            )
            await self.standin.start()
            self.client.config = replace(self.client.config, port=self.standin.port)
            log.info("switch stand-in on 127.0.0.1:%d", self.standin.port)
        await self.client.start()
        for part in self._companions:
            await part.start()

    async def stop(self) -> None:
        """Stop the companions, disconnect, stop listening, stop the stand-in."""
        for part in reversed(self._companions):
            try:
                await part.stop()
            except Exception:  # the switch itself must still stop
                log.exception("stopping a switch companion failed")
        await self.client.stop()
        await self.outbound.stop()
        if self.standin is not None:
            await self.standin.stop()

    async def ready(self) -> None:
        """Raise unless an authenticated ESL connection is up."""
        if not self.client.connected:
            raise NotConnected(reason="no authenticated ESL connection")

    async def wait_ready(self, within: float) -> None:
        """Wait until ready (for the demo and tests)."""
        await asyncio.wait_for(self.client.wait_connected(), within)


def build(ctx: AppContext) -> SwitchSubsystem | None:
    """The switch subsystem for these settings, or None when the switch is off."""
    settings = ctx.settings
    mode = settings.switch_mode
    if mode == "off":
        return None
    if mode == "standin":
        if settings.is_production:
            raise ValueError("the FreeSWITCH stand-in is refused in production")
        secret = settings.esl_password
        password = secret.get_secret_value() if secret else secrets.token_urlsafe(16)
        subsystem = SwitchSubsystem(settings, password=password, standin=True)
    else:
        if settings.esl_password is None:
            log.warning("switch_mode=freeswitch without MADOGUCHI_ESL_PASSWORD: switch off")
            return None
        subsystem = SwitchSubsystem(
            settings, password=settings.esl_password.get_secret_value(), standin=False
        )
    ctx.extras["switch"] = subsystem
    metrics = ctx.extras.get("metrics")
    if metrics is not None:
        metrics.registry.register(SwitchCollector(subsystem))
    return subsystem
