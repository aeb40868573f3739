"""Fax lines in the call path: a DID configured with ``kind = "fax"`` is a fax intake, not a call.

FreeSWITCH's dialplan (freeswitch-conf/dialplan/public.xml ``madoguchi_fax_line``) answers the
fax DID, runs ``rxfax`` into the fax folder and only then hands the channel to our socket: the
fax is already received and the inbox's ``spandsp::rxfaxresult`` handler (inbox/fax/switch.py)
takes it in and logs its ``contact.received`` (channel ``fax``). The call path then only hangs up;
it logs no call contact, so a fax is never counted as a call. A dialplan that sends the fax DID
straight to the socket gets the same result: the call path answers and runs ``rxfax`` itself into
``MADOGUCHI_CALLPATH_FAX_DIR`` (default ``DATA_DIR/fax-in``), the folder the dialplan writes to.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from realtime.errors import ValidationFailed
from switch.connection.errors import SwitchError
from switch.connection.outbound import OutboundSession
from switch.esl.event import EslEvent

if TYPE_CHECKING:
    from switch.callpath.core import CallPath

log = logging.getLogger(__name__)

LINE_KINDS = ("voice", "fax")


def line_options(data: Mapping[str, Any]) -> tuple[str, int]:
    """The line's kind (voice or fax) and survey share (0-100 %), checked (422 otherwise)."""
    problems: dict[str, str] = {}
    kind = data.get("kind", "voice")
    if kind not in LINE_KINDS:
        problems["kind"] = "回線の種類は voice（音声）か fax（FAX）を指定してください。"
        kind = "voice"
    percent = data.get("survey_percent", 0)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        problems["survey_percent"] = "アンケートの実施割合は0〜100の整数（%）で指定してください。"
        percent = 0
    if kind == "fax" and percent:
        problems["survey_percent"] = "FAX回線ではアンケートを実施できません。"
    if problems:
        raise ValidationFailed(fields=problems)
    return str(kind), int(percent)


def fax_dir(path: CallPath) -> Path:
    """Where received faxes are written (FreeSWITCH's ``madoguchi_fax_dir``)."""
    settings = path.ctx.settings
    return settings.callpath_fax_dir or settings.data_dir / "fax-in"


def already_received(channel_data: EslEvent | None) -> bool:
    """Whether the dialplan ran rxfax before the socket (its fax_* result variables are set)."""
    if channel_data is None:
        return False
    return any(
        channel_data.get(name)
        for name in ("variable_fax_result_code", "variable_fax_success", "variable_fax_filename")
    )


async def receive(path: CallPath, session: OutboundSession, *, did: str) -> None:
    """A call to a fax line: receive the fax (unless the dialplan did), then hang up."""
    uuid = session.uuid or ""
    with contextlib.suppress(SwitchError):
        if already_received(session.channel_data):
            log.info("fax line %s: fax call %s received by the dialplan", did, uuid)
        else:
            folder = fax_dir(path)
            with contextlib.suppress(OSError):
                folder.mkdir(parents=True, exist_ok=True)
            await session.answer()
            log.info("fax line %s: receiving fax call %s", did, uuid)
            await session.execute("rxfax", str(folder / f"{uuid}.tif"))
        if session.active:
            await session.hangup("NORMAL_CLEARING")
