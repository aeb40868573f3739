"""The channel model and the headers FreeSWITCH writes for a channel.

Header order follows switch_channel_event_set_basic_data / switch_caller_profile_event_set_data
in src/switch_channel.c and src/switch_caller.c, as seen in shared/fixtures/esl captures:
Channel-State (the *running* state) and Channel-State-Number (the *target* state) differ while
the state machine moves, exactly as in the CHANNEL_CREATE capture (CS_INIT with number 2).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

Header = tuple[str, str]
CallState = Literal["DOWN", "RINGING", "EARLY", "ACTIVE", "HELD", "HANGUP"]
AnswerState = Literal["ringing", "early", "answered", "hangup"]


class State(IntEnum):
    """switch_channel_state_t (src/include/switch_types.h)."""

    CS_NEW = 0
    CS_INIT = 1
    CS_ROUTING = 2
    CS_SOFT_EXECUTE = 3
    CS_EXECUTE = 4
    CS_EXCHANGE_MEDIA = 5
    CS_PARK = 6
    CS_CONSUME_MEDIA = 7
    CS_HIBERNATE = 8
    CS_RESET = 9
    CS_HANGUP = 10
    CS_REPORTING = 11
    CS_DESTROY = 12


@dataclass
class CallerProfile:
    """switch_caller_profile_t: the fields FreeSWITCH serializes with a prefix."""

    direction: str
    username: str
    caller_id_name: str
    caller_id_number: str
    destination_number: str
    unique_id: str
    channel_name: str
    network_addr: str
    context: str = "default"
    dialplan: str = "XML"
    callee_id_name: str | None = None
    callee_id_number: str | None = None
    created: int = 0
    answered: int = 0
    progress: int = 0
    progress_media: int = 0
    hangup: int = 0
    transfer: int = 0
    bridged: int = 0
    last_hold: int = 0
    hold_accum: int = 0

    def headers(self, prefix: str, *, with_index: bool = True) -> list[Header]:
        """switch_caller_profile_event_set_data(profile, prefix, event)."""
        out: list[Header] = [
            (f"{prefix}-Direction", self.direction),
            (f"{prefix}-Username", self.username),
            (f"{prefix}-Dialplan", self.dialplan),
            (f"{prefix}-Caller-ID-Name", self.caller_id_name),
            (f"{prefix}-Caller-ID-Number", self.caller_id_number),
            (f"{prefix}-Orig-Caller-ID-Number", "0000000000"),
        ]
        if self.callee_id_name is not None:
            out.append((f"{prefix}-Callee-ID-Name", self.callee_id_name))
        if self.callee_id_number is not None:
            out.append((f"{prefix}-Callee-ID-Number", self.callee_id_number))
        out += [
            (f"{prefix}-Network-Addr", self.network_addr),
            (f"{prefix}-ANI", self.caller_id_number),
            (f"{prefix}-Destination-Number", self.destination_number),
            (f"{prefix}-Unique-ID", self.unique_id),
            (f"{prefix}-Source", "mod_sofia"),
            (f"{prefix}-Context", self.context),
            (f"{prefix}-Channel-Name", self.channel_name),
        ]
        if with_index:
            out.append((f"{prefix}-Profile-Index", "1"))
        out += [
            (f"{prefix}-Profile-Created-Time", str(self.created)),
            (f"{prefix}-Channel-Created-Time", str(self.created)),
            (f"{prefix}-Channel-Answered-Time", str(self.answered)),
            (f"{prefix}-Channel-Progress-Time", str(self.progress)),
            (f"{prefix}-Channel-Progress-Media-Time", str(self.progress_media)),
            (f"{prefix}-Channel-Hangup-Time", str(self.hangup)),
            (f"{prefix}-Channel-Transfer-Time", str(self.transfer)),
            (f"{prefix}-Channel-Resurrect-Time", "0"),
            (f"{prefix}-Channel-Bridged-Time", str(self.bridged)),
            (f"{prefix}-Channel-Last-Hold", str(self.last_hold)),
            (f"{prefix}-Channel-Hold-Accum", str(self.hold_accum)),
            (f"{prefix}-Screen-Bit", "true"),
            (f"{prefix}-Privacy-Hide-Name", "false"),
            (f"{prefix}-Privacy-Hide-Number", "false"),
        ]
        return out


@dataclass
class Channel:
    """One FreeSWITCH session as the stand-in models it."""

    uuid: str
    name: str
    direction: Literal["inbound", "outbound"]
    profile: CallerProfile
    presence_id: str
    call_uuid: str
    hit_dialplan: bool
    running_state: State = State.CS_NEW
    state: State = State.CS_NEW
    call_state: CallState = "DOWN"
    answer_state: AnswerState = "ringing"
    hangup_cause: str | None = None
    media_ready: bool = False
    other: Channel | None = None
    other_type: Literal["originator", "originatee"] | None = None
    bridged_to: str | None = None
    held: bool = False
    auto_answer: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    created_epoch: int = 0
    apps_running: int = 0
    hangup_finished: bool = False
    app_returned: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def alive(self) -> bool:
        """True until the channel starts hanging up."""
        return self.state < State.CS_HANGUP

    def set_variable(self, name: str, value: str | None) -> None:
        """switch_channel_set_variable: None removes the variable."""
        if value is None:
            self.variables.pop(name, None)
        else:
            self.variables[name] = value

    def basic_headers(self) -> list[Header]:
        """switch_channel_event_set_basic_data: state, identity, codecs."""
        out: list[Header] = [
            ("Channel-State", self.running_state.name),
            ("Channel-Call-State", self.call_state),
            ("Channel-State-Number", str(int(self.state))),
            ("Channel-Name", self.name),
            ("Unique-ID", self.uuid),
            ("Call-Direction", self.direction),
            ("Presence-Call-Direction", self.direction),
            ("Channel-HIT-Dialplan", "true" if self.hit_dialplan else "false"),
            ("Channel-Presence-ID", self.presence_id),
            ("Channel-Call-UUID", self.call_uuid),
            ("Answer-State", self.answer_state),
        ]
        if self.hangup_cause is not None:
            out.append(("Hangup-Cause", self.hangup_cause))
        if self.media_ready:
            out += [
                ("Channel-Read-Codec-Name", "PCMA"),
                ("Channel-Read-Codec-Rate", "8000"),
                ("Channel-Read-Codec-Bit-Rate", "64000"),
                ("Channel-Write-Codec-Name", "PCMA"),
                ("Channel-Write-Codec-Rate", "8000"),
                ("Channel-Write-Codec-Bit-Rate", "64000"),
            ]
        out += self.profile.headers("Caller")
        if self.other is not None and self.other_type is not None:
            out.append(("Other-Type", self.other_type))
            out += self.other.profile.headers("Other-Leg", with_index=False)
        return out

    def data_headers(self) -> list[Header]:
        """switch_channel_event_set_data: basic data, then every variable as variable_*."""
        return self.basic_headers() + [(f"variable_{k}", v) for k, v in self.variables.items()]
