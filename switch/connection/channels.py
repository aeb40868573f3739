"""Channel rows of ``show channels as json`` and the client's own table of live channels.

``show channels as json`` (mod_commands.c, show_function with ``as json``) prints
``{"row_count":N,"rows":[{...}]}``, every column a string; with no channel only
``{"row_count":0}``. Columns used here: uuid, direction, created_epoch, name, state, cid_name,
cid_num, dest, callstate, call_uuid.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from switch.connection.events import SwitchEvent
from switch.esl.errors import EslProtocolError

END_EVENTS: Final = frozenset({"CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY"})
ANSWERED_STATES: Final = frozenset({"ACTIVE", "HELD", "UNHELD"})


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One row of ``show channels as json``."""

    uuid: str
    direction: str
    created_epoch: int
    name: str
    state: str
    cid_name: str
    cid_num: str
    dest: str
    callstate: str
    call_uuid: str


def parse_show_channels(text: str) -> list[ChannelRow]:
    """Rows of a ``show channels as json`` reply; anything else is a protocol error."""
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise EslProtocolError(
            f"show channels reply is not JSON: {exc}", offset=0, data=text.encode()
        ) from exc
    if not isinstance(obj, dict) or "row_count" not in obj:
        raise EslProtocolError(
            "show channels reply has no row_count", offset=0, data=text.encode()[:64]
        )
    rows = obj.get("rows") or []
    if not isinstance(rows, list):
        raise EslProtocolError("show channels rows is not a list", offset=0, data=b"")
    out: list[ChannelRow] = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("uuid"):
            continue
        epoch = str(row.get("created_epoch") or "0")
        out.append(
            ChannelRow(
                uuid=str(row["uuid"]),
                direction=str(row.get("direction") or ""),
                created_epoch=int(epoch) if epoch.isdigit() else 0,
                name=str(row.get("name") or ""),
                state=str(row.get("state") or ""),
                cid_name=str(row.get("cid_name") or ""),
                cid_num=str(row.get("cid_num") or ""),
                dest=str(row.get("dest") or ""),
                callstate=str(row.get("callstate") or ""),
                call_uuid=str(row.get("call_uuid") or ""),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class KnownChannel:
    """What the server believes about one live channel, and on which connection it learnt it."""

    uuid: str
    callstate: str
    connection: int
    direction: str = ""
    name: str = ""


class ChannelTracker:
    """Live channels as seen through events; remembers recently ended UUIDs."""

    def __init__(self, *, ended_memory: int = 10_000) -> None:
        self._live: dict[str, KnownChannel] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._ended_memory = ended_memory

    @property
    def live(self) -> Mapping[str, KnownChannel]:
        """Channels believed alive, by UUID."""
        return self._live

    @property
    def ended(self) -> frozenset[str]:
        """UUIDs whose end was seen recently."""
        return frozenset(self._ended)

    def known_before(self, connection: int) -> dict[str, KnownChannel]:
        """Channels last updated on an earlier connection (their fate may have been missed)."""
        return {u: c for u, c in self._live.items() if c.connection < connection}

    def apply(self, event: SwitchEvent) -> None:
        """Update the table from one event."""
        uuid = event.unique_id
        if not uuid:
            return
        name = event.name
        if name in END_EVENTS:
            if self._live.pop(uuid, None) is not None or uuid not in self._ended:
                self._ended[uuid] = None
                while len(self._ended) > self._ended_memory:
                    self._ended.popitem(last=False)
            return
        if uuid in self._ended:
            return
        callstate = event.get("Channel-Call-State") or ""
        if name == "CHANNEL_ANSWER":
            callstate = "ACTIVE"  # the header still holds the state before the answer
        elif name == "CHANNEL_HOLD":
            callstate = "HELD"
        elif name == "CHANNEL_UNHOLD":
            callstate = "ACTIVE"
        current = self._live.get(uuid)
        if current is None:
            if name != "CHANNEL_CREATE" and not callstate:
                return
            self._live[uuid] = KnownChannel(
                uuid=uuid,
                callstate=callstate or "DOWN",
                connection=event.connection,
                direction=event.get("Call-Direction") or event.get("Channel-Direction") or "",
                name=event.get("Channel-Name") or "",
            )
            return
        if current.callstate in ANSWERED_STATES and callstate in ("RINGING", "EARLY", "DOWN"):
            callstate = current.callstate  # a late header cannot un-answer a call
        self._live[uuid] = replace(
            current, callstate=callstate or current.callstate, connection=event.connection
        )
