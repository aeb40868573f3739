"""Reconciliation after a (re)connect: what FreeSWITCH has against what the server holds.

A pure function: given the channels the server knew before the connection (and UUIDs it saw
end), and the rows of ``show channels as json``, it returns the events that were missed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Final

from switch.connection.channels import ANSWERED_STATES, ChannelRow, KnownChannel
from switch.connection.events import RECONCILED_HEADER, SwitchEvent
from switch.esl.event import EslEvent

_PRE_ANSWER: Final = frozenset({"DOWN", "DIALING", "RINGING", "EARLY", "RING_WAIT", ""})


def _row_event(name: str, row: ChannelRow, reason: str, connection: int) -> SwitchEvent:
    pairs = [
        ("Event-Name", name),
        ("Unique-ID", row.uuid),
        ("Channel-Name", row.name),
        ("Call-Direction", row.direction),
        ("Channel-Call-State", row.callstate),
        ("Caller-Caller-ID-Name", row.cid_name),
        ("Caller-Caller-ID-Number", row.cid_num),
        ("Caller-Destination-Number", row.dest),
        ("Channel-Call-UUID", row.call_uuid),
        ("Caller-Channel-Created-Time", str(row.created_epoch * 1_000_000)),
        (RECONCILED_HEADER, reason),
    ]
    esl = EslEvent(pairs, encoded=False)
    return SwitchEvent(name=name, esl=esl, connection=connection, synthetic=True)


def _gone_event(known: KnownChannel, connection: int) -> SwitchEvent:
    pairs = [
        ("Event-Name", "CHANNEL_HANGUP_COMPLETE"),
        ("Unique-ID", known.uuid),
        ("Channel-Name", known.name),
        ("Call-Direction", known.direction),
        ("Channel-Call-State", "HANGUP"),
        (RECONCILED_HEADER, "missing-from-switch"),
    ]
    esl = EslEvent(pairs, encoded=False)
    return SwitchEvent(
        name="CHANNEL_HANGUP_COMPLETE", esl=esl, connection=connection, synthetic=True
    )


def reconcile(
    known: Mapping[str, KnownChannel],
    rows: Sequence[ChannelRow],
    *,
    ended: Collection[str] = (),
    connection: int = 0,
) -> list[SwitchEvent]:
    """The synthetic events that bring ``known`` in line with FreeSWITCH's ``rows``.

    - a row the server does not know (and did not see end): CHANNEL_CREATE, then
      CHANNEL_ANSWER when it is answered and CHANNEL_HOLD when it is held;
    - a known channel FreeSWITCH no longer has: CHANNEL_HANGUP_COMPLETE (cause unknown);
    - a known channel whose call state moved: CHANNEL_ANSWER, CHANNEL_HOLD or CHANNEL_UNHOLD.
    """
    out: list[SwitchEvent] = []
    present: set[str] = set()
    for row in sorted(rows, key=lambda r: (r.created_epoch, r.uuid)):
        present.add(row.uuid)
        mine = known.get(row.uuid)
        if mine is None:
            if row.uuid in ended:
                continue
            out.append(_row_event("CHANNEL_CREATE", row, "unknown-channel", connection))
            if row.callstate in ANSWERED_STATES:
                out.append(_row_event("CHANNEL_ANSWER", row, "unknown-channel", connection))
            if row.callstate == "HELD":
                out.append(_row_event("CHANNEL_HOLD", row, "unknown-channel", connection))
            continue
        if mine.callstate in _PRE_ANSWER and row.callstate in ANSWERED_STATES:
            out.append(_row_event("CHANNEL_ANSWER", row, "missed-answer", connection))
            if row.callstate == "HELD":
                out.append(_row_event("CHANNEL_HOLD", row, "missed-hold", connection))
        elif mine.callstate != "HELD" and row.callstate == "HELD":
            out.append(_row_event("CHANNEL_HOLD", row, "missed-hold", connection))
        elif mine.callstate == "HELD" and row.callstate in ("ACTIVE", "UNHELD"):
            out.append(_row_event("CHANNEL_UNHOLD", row, "missed-unhold", connection))
    for uuid in sorted(set(known) - present):
        out.append(_gone_event(known[uuid], connection))
    return out
