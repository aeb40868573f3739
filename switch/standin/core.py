"""The stand-in's switch core: channels, their state machine and the events they fire.

Event order per call follows src/switch_core_state_machine.c and src/switch_channel.c:
CHANNEL_STATE(CS_INIT), CHANNEL_CREATE, CHANNEL_STATE(CS_ROUTING), [CHANNEL_CALLSTATE RINGING
for inbound], CHANNEL_STATE(CS_EXECUTE) ... CHANNEL_PROGRESS(_MEDIA), CHANNEL_ANSWER then
CHANNEL_CALLSTATE(ACTIVE) ... CHANNEL_HANGUP, CHANNEL_CALLSTATE(HANGUP), CHANNEL_STATE(CS_HANGUP),
CHANNEL_STATE(CS_REPORTING), CHANNEL_HANGUP_COMPLETE, CHANNEL_CALLSTATE(DOWN, in CS_DESTROY),
CHANNEL_DESTROY. An event carries the call state from *before* the change it announces, as in
the captures (CHANNEL_ANSWER with Channel-Call-State EARLY).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid as uuidlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from switch.standin.channels import CallerProfile, CallState, Channel, Header, State
from switch.standin.clock import Clock
from switch.standin.events import FsEvent, Identity, core_headers
from switch.standin.media import write_fax_tiff, write_wav

Listener = Callable[[FsEvent], None]


@dataclass
class Recording:
    """An active uuid_record / record_session bug."""

    path: Path
    started: float
    stereo: bool


@dataclass
class Agent:
    """A registered agent endpoint (sofia registration of user/<extension>)."""

    extension: str
    auto_answer: bool = True
    answer_delay: float = 0.5


@dataclass
class SwitchConfig:
    """Names and addresses the stand-in reports, and where it writes media."""

    hostname: str = "standin"
    ipv4: str = "127.0.0.1"
    ipv6: str = "::1"
    domain: str = "city.example.jp"
    media_dir: Path = field(default_factory=lambda: Path("standin-media"))
    heartbeat_interval: float = 20.0
    remote_answer_delay: float = 1.0


class Switch:
    """Channels, registrations and the event bus of one running stand-in."""

    def __init__(self, config: SwitchConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.channels: dict[str, Channel] = {}
        self.agents: dict[str, Agent] = {}
        self.recordings: dict[str, dict[str, Recording]] = {}
        self.digits: dict[str, asyncio.Queue[str]] = {}
        self.ended: dict[str, asyncio.Event] = {}
        self.fax_pages: dict[str, int] = {}
        self.listeners: list[Listener] = []
        self.hangup_hooks: list[Callable[[Channel], None]] = []
        self.busy_numbers: set[str] = set()
        self._sequence = itertools.count(1)
        self._session_ids = itertools.count(1)
        self.sessions_since_startup = 0
        self.started_us = clock.now_us()
        self.identity = self._new_identity()

    def _new_identity(self) -> Identity:
        return Identity(
            core_uuid=str(uuidlib.uuid4()),
            hostname=self.config.hostname,
            ipv4=self.config.ipv4,
            ipv6=self.config.ipv6,
        )

    def reset(self) -> None:
        """A FreeSWITCH restart: every channel gone, a new Core-UUID, no registrations."""
        self.channels.clear()
        self.recordings.clear()
        self.digits.clear()
        for ended in self.ended.values():
            ended.set()
        self.ended.clear()
        self.agents.clear()
        self.identity = self._new_identity()
        self.started_us = self.clock.now_us()
        self.sessions_since_startup = 0

    # -- events -------------------------------------------------------------------------------

    def fire(
        self,
        name: str,
        channel: Channel | None = None,
        *,
        pre: Iterable[Header] = (),
        post: Iterable[Header] = (),
        body: str | None = None,
        subclass: str | None = None,
        variables: bool = True,
    ) -> FsEvent:
        """Build an event the way FreeSWITCH does and hand it to every listener."""
        headers = core_headers(
            self.identity, name, subclass, self.clock.now_us(), next(self._sequence)
        )
        headers += list(pre)
        if channel is not None:
            headers += channel.data_headers() if variables else channel.basic_headers()
        headers += list(post)
        event = FsEvent(name=name, headers=tuple(headers), body=body, subclass=subclass)
        for listener in list(self.listeners):
            listener(event)
        return event

    def _running(self, ch: Channel, state: State) -> None:
        ch.running_state = state
        if state < State.CS_DESTROY:
            self.fire("CHANNEL_STATE", ch)

    def _callstate(self, ch: Channel, state: CallState) -> None:
        original = ch.call_state
        ch.call_state = state
        self.fire("CHANNEL_CALLSTATE", ch, pre=[("Original-Channel-Call-State", original)])

    # -- channel life -------------------------------------------------------------------------

    def new_channel(
        self,
        *,
        direction: str,
        caller_name: str,
        caller_number: str,
        destination: str,
        name: str,
        network_addr: str,
        call_uuid: str | None = None,
        uuid: str | None = None,
        variables: dict[str, str] | None = None,
    ) -> Channel:
        """switch_core_session_request: a CS_NEW channel with its caller profile."""
        ch_uuid = uuid or str(uuidlib.uuid4())
        now = self.clock.now_us()
        inbound = direction == "inbound"
        profile = CallerProfile(
            direction=direction,
            username=caller_number,
            caller_id_name=caller_name,
            caller_id_number=caller_number,
            destination_number=destination,
            unique_id=ch_uuid,
            channel_name=name,
            network_addr=network_addr,
            created=now,
        )
        ch = Channel(
            uuid=ch_uuid,
            name=name,
            direction="inbound" if inbound else "outbound",
            profile=profile,
            presence_id=f"{caller_number if inbound else destination}@{self.config.domain}",
            call_uuid=call_uuid or ch_uuid,
            hit_dialplan=inbound,
            created_epoch=int(now / 1_000_000),
        )
        session_id = next(self._session_ids)
        self.sessions_since_startup += 1
        ch.variables.update(
            {
                "direction": ch.direction,
                "uuid": ch_uuid,
                "session_id": str(session_id),
                "sip_profile_name": "internal" if not inbound else "external",
                "channel_name": name,
            }
        )
        if inbound:
            ch.variables.update(
                {
                    "sip_from_user": caller_number,
                    "sip_from_uri": f"{caller_number}@{network_addr}",
                    "sip_from_host": network_addr,
                    "sip_call_id": uuidlib.uuid4().hex,
                    "sip_network_ip": network_addr,
                    "sip_network_port": "5060",
                    "sip_received_ip": network_addr,
                    "sip_received_port": "5060",
                    "sip_via_protocol": "udp",
                    "sip_req_user": destination,
                    "sip_to_user": destination,
                    "sofia_profile_name": "external",
                    "max_forwards": "69",
                }
            )
        if variables:
            ch.variables.update(variables)
        self.channels[ch_uuid] = ch
        self.digits[ch_uuid] = asyncio.Queue()
        self.ended[ch_uuid] = asyncio.Event()
        return ch

    def init(self, ch: Channel) -> None:
        """CS_INIT and CS_ROUTING up to CS_EXECUTE, with their events."""
        ch.state = State.CS_INIT
        self._running(ch, State.CS_INIT)
        ch.state = State.CS_ROUTING
        self.fire("CHANNEL_CREATE", ch)
        self._running(ch, State.CS_ROUTING)
        if ch.direction == "inbound":
            self._callstate(ch, "RINGING")
        ch.state = State.CS_EXECUTE
        self._running(ch, State.CS_EXECUTE)

    def ring(self, ch: Channel) -> None:
        """switch_channel_mark_ring_ready: CHANNEL_PROGRESS then call state RINGING."""
        ch.profile.progress = self.clock.now_us()
        self.fire("CHANNEL_PROGRESS", ch)
        self._callstate(ch, "RINGING")

    def pre_answer(self, ch: Channel) -> None:
        """switch_channel_mark_pre_answered: CHANNEL_PROGRESS_MEDIA then call state EARLY."""
        if ch.answer_state in ("early", "answered") or not ch.alive:
            return
        ch.media_ready = True
        ch.answer_state = "early"
        ch.profile.progress_media = self.clock.now_us()
        self.fire("CHANNEL_PROGRESS_MEDIA", ch)
        self._callstate(ch, "EARLY")

    def answer(self, ch: Channel) -> bool:
        """switch_channel_mark_answered: CHANNEL_ANSWER then call state ACTIVE."""
        if not ch.alive:
            return False
        if ch.answer_state == "answered":
            return True
        ch.media_ready = True
        ch.answer_state = "answered"
        ch.profile.answered = self.clock.now_us()
        ch.variables["endpoint_disposition"] = "ANSWER"
        self.fire("CHANNEL_ANSWER", ch)
        self._callstate(ch, "ACTIVE")
        return True

    def bridge(self, a: Channel, b: Channel) -> None:
        """switch_ivr_multi_threaded_bridge: link both legs, CHANNEL_BRIDGE on the A leg."""
        now = self.clock.now_us()
        a.other, a.other_type = b, "originatee"
        b.other, b.other_type = a, "originator"
        a.bridged_to, b.bridged_to = b.uuid, a.uuid
        a.profile.bridged = b.profile.bridged = now
        b.profile.callee_id_name = b.profile.callee_id_name or "Outbound Call"
        b.profile.callee_id_number = b.profile.callee_id_number or b.profile.destination_number
        a.profile.callee_id_name = b.profile.caller_id_name
        a.profile.callee_id_number = b.profile.destination_number
        for ch, other in ((a, b), (b, a)):
            ch.variables["bridge_uuid"] = other.uuid
            ch.variables["signal_bond"] = other.uuid
            ch.variables["last_bridge_to"] = other.uuid
        b.variables["last_bridge_role"] = "originatee"
        a.variables["last_bridge_role"] = "originator"
        b.running_state = State.CS_EXCHANGE_MEDIA
        b.state = State.CS_EXCHANGE_MEDIA
        self.fire(
            "CHANNEL_BRIDGE",
            a,
            pre=[("Bridge-A-Unique-ID", a.uuid), ("Bridge-B-Unique-ID", b.uuid)],
        )

    def unbridge(self, a: Channel) -> Channel | None:
        """End a bridge: CHANNEL_UNBRIDGE on the A leg; return the other leg."""
        if a.bridged_to is None:
            return None
        b = self.channels.get(a.bridged_to)
        a_leg, b_leg = (a, b) if a.other_type == "originatee" or b is None else (b, a)
        self.fire(
            "CHANNEL_UNBRIDGE",
            a_leg,
            pre=[
                ("Bridge-A-Unique-ID", a_leg.uuid),
                ("Bridge-B-Unique-ID", b_leg.uuid if b_leg is not None else a.bridged_to),
            ],
        )
        a.bridged_to = None
        if b is not None:
            b.bridged_to = None
            b.variables.pop("bridge_uuid", None)
        a.variables.pop("bridge_uuid", None)
        return b

    def release(self, ch: Channel, cause: str = "NORMAL_CLEARING") -> None:
        """A leg whose bridge partner went away: it parks when ``park_after_bridge`` is true
        (switch_ivr_multi_threaded_bridge / uuid_bridge_on_soft_execute), else it hangs up."""
        if not ch.alive:
            return
        if ch.variables.get("park_after_bridge", "").lower() == "true":
            ch.state = ch.running_state = State.CS_PARK
            self.fire("CHANNEL_PARK", ch)
            return
        self.hangup(ch, cause)

    def dtmf(self, ch: Channel, digit: str, duration: int = 800) -> None:
        """A digit from the caller: the DTMF event, and the digit for any collecting app."""
        if not ch.alive:
            return
        self.fire("DTMF", ch, post=[("DTMF-Digit", digit), ("DTMF-Duration", str(duration))])
        queue = self.digits.get(ch.uuid)
        if queue is not None:
            queue.put_nowait(digit)

    def hold(self, ch: Channel, on: bool) -> bool:
        """switch_ivr_hold / switch_ivr_unhold with CHANNEL_HOLD / CHANNEL_UNHOLD."""
        if not ch.alive or ch.held == on:
            return False
        now = self.clock.now_us()
        ch.held = on
        if on:
            ch.profile.last_hold = now
            self.fire("CHANNEL_HOLD", ch)
            self._callstate(ch, "HELD")
        else:
            ch.profile.hold_accum += max(0, now - ch.profile.last_hold)
            self.fire("CHANNEL_UNHOLD", ch)
            self._callstate(ch, "ACTIVE")
        return True

    def hangup(self, ch: Channel, cause: str = "NORMAL_CLEARING") -> None:
        """switch_channel_perform_hangup and the CS_HANGUP..CS_DESTROY states that follow."""
        if not ch.alive:
            return
        now = self.clock.now_us()
        ch.state = State.CS_HANGUP
        ch.hangup_cause = cause
        ch.answer_state = "hangup"
        ch.profile.hangup = now
        ch.variables["hangup_cause"] = cause
        self.fire("CHANNEL_HANGUP", ch)
        self._callstate(ch, "HANGUP")
        ended = self.ended.pop(ch.uuid, None)
        if ended is not None:
            ended.set()
        for hook in list(self.hangup_hooks):
            hook(ch)
        for path in list(self.recordings.get(ch.uuid, {})):
            self.record_stop(ch, path, force=True)
        partner = self.channels.get(ch.bridged_to) if ch.bridged_to else None
        if partner is not None and partner.alive:
            self.release(partner, cause)
        if ch.bridged_to is not None:
            self.unbridge(ch)
        if ch.apps_running == 0:
            self.finish_hangup(ch)

    def finish_hangup(self, ch: Channel) -> None:
        """The session thread's CS_HANGUP..CS_DESTROY, once its application has returned.

        switch_channel_perform_hangup fires CHANNEL_HANGUP from whichever thread hangs up; the
        running application then returns (CHANNEL_EXECUTE_COMPLETE in switch_core_session_exec)
        before the state machine runs CS_HANGUP, CS_REPORTING and CS_DESTROY.
        """
        if ch.hangup_finished or ch.alive:
            return
        ch.hangup_finished = True
        now = ch.profile.hangup
        self._running(ch, State.CS_HANGUP)
        ch.state = State.CS_REPORTING
        self._running(ch, State.CS_REPORTING)
        answered = ch.profile.answered
        ch.variables.update(
            {
                "start_epoch": str(ch.profile.created // 1_000_000),
                "answer_epoch": str(answered // 1_000_000),
                "end_epoch": str(now // 1_000_000),
                "duration": str(max(0, (now - ch.profile.created) // 1_000_000)),
                "billsec": str(max(0, (now - answered) // 1_000_000) if answered else 0),
            }
        )
        self.fire("CHANNEL_HANGUP_COMPLETE", ch)
        ch.state = State.CS_DESTROY
        ch.running_state = State.CS_DESTROY
        self._callstate(ch, "DOWN")
        self.fire("CHANNEL_DESTROY", ch)
        self.channels.pop(ch.uuid, None)
        self.digits.pop(ch.uuid, None)
        self.recordings.pop(ch.uuid, None)

    # -- media --------------------------------------------------------------------------------

    def media_path(self, path: str) -> Path:
        """Relative paths land under the configured media directory."""
        candidate = Path(path)
        return candidate if candidate.is_absolute() else self.config.media_dir / candidate

    def record_start(self, ch: Channel, path: str) -> bool:
        """switch_ivr_record_session: RECORD_START with Record-File-Path."""
        if not ch.alive:
            return False
        stereo = ch.variables.get("RECORD_STEREO", ch.variables.get("record_stereo", "false"))
        self.recordings.setdefault(ch.uuid, {})[path] = Recording(
            path=self.media_path(path),
            started=self.clock.now(),
            stereo=stereo.lower() in ("true", "1", "yes", "on"),
        )
        self.fire("RECORD_START", ch, post=[("Record-File-Path", path)])
        return True

    def record_stop(self, ch: Channel, path: str, *, force: bool = False) -> bool:
        """switch_ivr_stop_record_session: write the file, set record_*, RECORD_STOP."""
        active = self.recordings.get(ch.uuid, {})
        keys = list(active) if path == "all" else [path] if path in active else []
        if not keys:
            return False
        for key in keys:
            rec = active.pop(key)
            seconds = max(0.0, self.clock.now() - rec.started)
            samples = write_wav(rec.path, seconds=seconds, stereo=rec.stereo)
            ch.variables["record_samples"] = str(samples)
            ch.variables["record_seconds"] = str(samples // 8000)
            ch.variables["record_ms"] = str(samples // 8)
            ch.variables["record_completion_cause"] = "success"
            self.fire(
                "RECORD_STOP",
                ch,
                post=[("Record-File-Path", key), ("Record-Completion-Cause", "success")],
            )
        return True

    def fax_result(self, ch: Channel, *, path: str, pages: int, receive: bool) -> None:
        """mod_spandsp_fax phase_e_handler: fax_* variables, then spandsp::rx/txfaxresult."""
        if receive:
            write_fax_tiff(self.media_path(path), pages=pages)
        ok = pages > 0
        ch.variables.update(
            {
                "fax_success": "1" if ok else "0",
                "fax_result_code": "0" if ok else "49",
                "fax_result_text": "OK" if ok else "The call dropped prematurely",
                "fax_ecm_used": "on",
                "fax_t38_status": "off",
                "fax_local_station_id": "SpanDSP Fax Ident",
                "fax_remote_station_id": "+81 3 3981 0000",
                "fax_document_transferred_pages": str(pages),
                "fax_document_total_pages": str(pages),
                "fax_image_resolution": "204x98",
                "fax_image_pixel_size": "1728x1143",
                "fax_image_size": str(pages * 1728 * 1143 // 8),
                "fax_bad_rows": "0",
                "fax_transfer_rate": "14400",
                "fax_v17_disabled": "0",
            }
        )
        if receive:
            ch.variables["fax_filename"] = path
        self.fire(
            "CUSTOM", ch, subclass="spandsp::rxfaxresult" if receive else "spandsp::txfaxresult"
        )

    # -- heartbeat ----------------------------------------------------------------------------

    def heartbeat(self) -> FsEvent:
        """switch_core.c send_heartbeat: HEARTBEAT with uptime and session counters."""
        up_us = max(0, self.clock.now_us() - self.started_us)
        secs, usec = divmod(up_us, 1_000_000)
        mins, sec = divmod(secs, 60)
        hours, mins = divmod(mins, 60)
        days, hours = divmod(hours, 24)
        years, days = divmod(days, 365)
        ms, mms = divmod(usec, 1000)

        def unit(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        uptime = ", ".join(
            [
                unit(years, "year"),
                unit(days, "day"),
                unit(hours, "hour"),
                unit(mins, "minute"),
                unit(sec, "second"),
                unit(ms, "millisecond"),
                unit(mms, "microsecond"),
            ]
        )
        count = len(self.channels)
        return self.fire(
            "HEARTBEAT",
            post=[
                ("Event-Info", "System Ready"),
                ("Up-Time", uptime),
                ("FreeSWITCH-Version", "1.10.11-release~64bit"),
                ("Uptime-msec", str(up_us // 1000)),
                ("Session-Count", str(count)),
                ("Max-Sessions", "1000"),
                ("Session-Per-Sec", "30"),
                ("Session-Per-Sec-Last", "0"),
                ("Session-Per-Sec-Max", "2"),
                ("Session-Per-Sec-FiveMin", "0"),
                ("Session-Since-Startup", str(self.sessions_since_startup)),
                ("Session-Peak-Max", str(max(count, 1))),
                ("Session-Peak-FiveMin", str(count)),
                ("Idle-CPU", "98.000000"),
            ],
        )

    async def wait_or_hangup(self, ch: Channel, seconds: float | None) -> bool:
        """Wait ``seconds`` of virtual time (None: forever); False if the channel hung up."""
        ended = self.ended.get(ch.uuid)
        if ended is None:
            return False
        try:
            timeout = None if seconds is None else max(0.0, seconds) * self.clock.scale
            await asyncio.wait_for(ended.wait(), timeout)
        except TimeoutError:
            return ch.alive
        return False
