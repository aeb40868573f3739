"""Recordings an earlier (killed) process left in the spool are stored by the next one."""

from __future__ import annotations

import json
import os
import time
import wave
from pathlib import Path

import pytest

from mediastore.store.config import store_from_settings
from tests.callpath.harness import running, scenario


def _wav(path: Path, seconds: float = 0.5) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x01\x00" * 2 * int(8000 * seconds))


@pytest.mark.req("N-REL-1", "F-2.2.1")
@scenario
async def test_a_recording_left_in_the_spool_is_stored_but_a_live_or_unknown_one_is_left(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        call = await rig.call(digits="1")
        contact = await rig.contact_of(call)
        await call.wait(1).hangup()
        await rig.event("contact.abandoned", contact)
        spool = tmp_path / "recordings-spool"
        spool.mkdir(exist_ok=True)
        left, live, stray = spool / f"{contact}.wav", spool / "live.wav", spool / "nobody.wav"
        for path in (left, live, stray):
            _wav(path)
        hour_ago = time.time() - 3600
        os.utime(left, (hour_ago, hour_ago))
        os.utime(stray, (hour_ago, hour_ago))
        assert await rig.path.recorder.adopt_spooled() == 1
        stored = await rig.event("recording.stored", contact)
        assert stored.line == rig.events(contact)[0].line
        recording_id = json.loads(stored.payload)["recording_id"]
        assert store_from_settings(rig.ctx.settings).exists(file_id=recording_id)
        assert not left.exists()
        assert live.exists()  # written to a moment ago: a call still going on
        assert stray.exists()  # no such call in the log: left for a person to look at
        assert await rig.path.recorder.adopt_spooled() == 0
        assert rig.types(contact).count("recording.stored") == 1
