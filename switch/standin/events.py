"""Events as FreeSWITCH builds them: core headers first, then the caller's headers.

switch_event_create_subclass_detailed / switch_event_prep_for_delivery_detailed in
src/switch_event.c add, in order: Event-Name (Event-Subclass before it for CUSTOM events),
Core-UUID, FreeSWITCH-Hostname, FreeSWITCH-Switchname, FreeSWITCH-IPv4, FreeSWITCH-IPv6,
Event-Date-Local, Event-Date-GMT, Event-Date-Timestamp, Event-Calling-File,
Event-Calling-Function, Event-Calling-Line-Number, Event-Sequence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Final

from switch.esl.encode import event_frame, serialize_event
from switch.standin.channels import Header

# Where FreeSWITCH fires each event (file, function, line). Lines are those of the captures
# where a capture exists; elsewhere they only keep the header present (values vary by version).
CALLING: Final[dict[str, tuple[str, str, int]]] = {
    "CHANNEL_CREATE": ("switch_core_state_machine.c", "switch_core_session_run", 459),
    "CHANNEL_STATE": ("switch_channel.c", "switch_channel_perform_set_running_state", 2113),
    "CHANNEL_CALLSTATE": ("switch_channel.c", "switch_channel_perform_set_callstate", 213),
    "CHANNEL_PROGRESS": ("switch_channel.c", "switch_channel_perform_mark_ring_ready_value", 3322),
    "CHANNEL_PROGRESS_MEDIA": (
        "switch_channel.c",
        "switch_channel_perform_mark_pre_answered",
        3375,
    ),
    "CHANNEL_ANSWER": ("switch_channel.c", "switch_channel_perform_mark_answered", 3539),
    "CHANNEL_BRIDGE": ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1335),
    "CHANNEL_UNBRIDGE": ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1430),
    "CHANNEL_HANGUP": ("switch_channel.c", "switch_channel_perform_hangup", 3130),
    "CHANNEL_HANGUP_COMPLETE": (
        "switch_core_state_machine.c",
        "switch_core_session_reporting_state",
        876,
    ),
    "CHANNEL_DESTROY": ("switch_core_session.c", "switch_core_session_perform_destroy", 1500),
    "CHANNEL_EXECUTE": ("switch_core_session.c", "switch_core_session_exec", 2690),
    "CHANNEL_EXECUTE_COMPLETE": ("switch_core_session.c", "switch_core_session_exec", 2732),
    "CHANNEL_PARK": ("switch_ivr.c", "switch_ivr_park", 958),
    "CHANNEL_HOLD": ("switch_ivr.c", "switch_ivr_hold", 1560),
    "CHANNEL_UNHOLD": ("switch_ivr.c", "switch_ivr_unhold", 1615),
    "CHANNEL_ORIGINATE": ("switch_ivr_originate.c", "switch_ivr_originate", 3742),
    "CHANNEL_DATA": ("mod_event_socket.c", "parse_command", 1875),
    "DTMF": ("switch_channel.c", "switch_channel_dequeue_dtmf", 613),
    "RECORD_START": ("switch_ivr_async.c", "record_callback", 1178),
    "RECORD_STOP": ("switch_ivr_async.c", "record_callback", 1275),
    "BACKGROUND_JOB": ("mod_event_socket.c", "api_exec", 1557),
    "HEARTBEAT": ("switch_core.c", "send_heartbeat", 93),
    "spandsp::rxfaxresult": ("mod_spandsp_fax.c", "phase_e_handler", 495),
    "spandsp::txfaxresult": ("mod_spandsp_fax.c", "phase_e_handler", 495),
    "conference::maintenance": ("mod_conference.c", "conference_member_add", 1224),
}


@dataclass(frozen=True)
class FsEvent:
    """One fired event: ordered headers (names and raw values) and an optional body."""

    name: str
    headers: tuple[Header, ...]
    body: str | None = None
    subclass: str | None = None

    def get(self, name: str) -> str | None:
        """The first header value called ``name``."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def plain(self) -> bytes:
        """switch_event_serialize: the text/event-plain payload."""
        return serialize_event(self.headers, self.body)

    def json(self) -> bytes:
        """switch_event_serialize_json: the text/event-json payload."""
        obj: dict[str, str] = {}
        for key, value in self.headers:
            obj.setdefault(key, value)
        if self.body:
            obj["Content-Length"] = str(len(self.body.encode()))
            obj["_body"] = self.body
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()

    def frame(self, fmt: str) -> bytes:
        """The frame mod_event_socket writes for this event in ``fmt``."""
        if fmt == "json":
            return event_frame(self.json(), "json")
        return event_frame(self.plain(), "plain")


@dataclass(frozen=True)
class Identity:
    """Who is firing: the switch's name and addresses."""

    core_uuid: str
    hostname: str
    ipv4: str
    ipv6: str


def core_headers(
    identity: Identity, name: str, subclass: str | None, now_us: int, sequence: int
) -> list[Header]:
    """The headers every event starts with."""
    when = datetime.fromtimestamp(now_us / 1_000_000, tz=UTC)
    local = datetime.fromtimestamp(now_us / 1_000_000).strftime("%Y-%m-%d %H:%M:%S")
    file, func, line = CALLING.get(subclass or name, ("switch_event.c", "switch_event_fire", 0))
    head: list[Header] = []
    if subclass:
        head.append(("Event-Subclass", subclass))
    head += [
        ("Event-Name", name),
        ("Core-UUID", identity.core_uuid),
        ("FreeSWITCH-Hostname", identity.hostname),
        ("FreeSWITCH-Switchname", identity.hostname),
        ("FreeSWITCH-IPv4", identity.ipv4),
        ("FreeSWITCH-IPv6", identity.ipv6),
        ("Event-Date-Local", local),
        ("Event-Date-GMT", format_datetime(when, usegmt=True)),
        ("Event-Date-Timestamp", str(now_us)),
        ("Event-Calling-File", file),
        ("Event-Calling-Function", func),
        ("Event-Calling-Line-Number", str(line)),
        ("Event-Sequence", str(sequence)),
    ]
    return head
