"""Client commands: exact bytes, and no argument can smuggle a second command."""

from __future__ import annotations

import pytest

from switch.esl import commands
from switch.esl.errors import EslCommandError

pytestmark = pytest.mark.req("F-1.1.1")


def test_commands_are_encoded_as_mod_event_socket_reads_them():
    assert commands.auth("ClueCon") == b"auth ClueCon\n\n"
    assert commands.connect() == b"connect\n\n"
    assert commands.event("plain") == b"event plain ALL\n\n"
    assert commands.event("json", ["CHANNEL_ANSWER", "CUSTOM", "callcenter::info"]) == (
        b"event json CHANNEL_ANSWER CUSTOM callcenter::info\n\n"
    )
    assert commands.nixevent(["DTMF"]) == b"nixevent DTMF\n\n"
    assert commands.myevents() == b"myevents plain\n\n"
    assert commands.myevents("u-1", "json") == b"myevents u-1 json\n\n"
    assert commands.linger() == b"linger\n\n"
    assert commands.linger(30) == b"linger 30\n\n"
    assert commands.filter_add("Unique-ID", "u-1") == b"filter Unique-ID u-1\n\n"
    assert commands.filter_delete("all") == b"filter delete all\n\n"
    assert commands.api("status") == b"api status\n\n"
    assert (
        commands.api("uuid_kill", "u-1 NORMAL_CLEARING") == b"api uuid_kill u-1 NORMAL_CLEARING\n\n"
    )
    assert commands.exit_() == b"exit\n\n"


def test_bgapi_carries_the_job_uuid_header():
    assert commands.bgapi("originate", "sofia/gw/0312345678 &park()", job_uuid="j-1") == (
        b"bgapi originate sofia/gw/0312345678 &park()\nJob-UUID: j-1\n\n"
    )
    assert commands.bgapi("status") == b"bgapi status\n\n"


def test_sendmsg_execute_sets_the_application_headers():
    assert (
        commands.sendmsg_execute("playback", "/sounds/窓口.wav", uuid="u-1")
        == (
            "sendmsg u-1\ncall-command: execute\nexecute-app-name: playback\n"
            "execute-app-arg: /sounds/窓口.wav\nevent-lock: true\n\n"
        ).encode()
    )
    assert commands.sendmsg_execute("answer", event_lock=False) == (
        b"sendmsg\ncall-command: execute\nexecute-app-name: answer\n\n"
    )
    assert commands.sendmsg("hangup", [("hangup-cause", "NORMAL_CLEARING")], uuid="u-2") == (
        b"sendmsg u-2\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING\n\n"
    )


INJECTIONS = ["x\nexit", "x\rapi status", "x\r\n\r\napi uuid_kill all", "a\x00b"]


@pytest.mark.parametrize("bad", INJECTIONS)
def test_line_breaks_and_nul_in_any_argument_are_rejected(bad):
    calls = [
        lambda: commands.auth(bad),
        lambda: commands.api("status", bad),
        lambda: commands.api(bad),
        lambda: commands.bgapi("originate", bad),
        lambda: commands.bgapi("status", job_uuid=bad),
        lambda: commands.sendmsg_execute("playback", bad, uuid="u-1"),
        lambda: commands.sendmsg_execute(bad),
        lambda: commands.sendmsg_execute("playback", "x", uuid=bad),
        lambda: commands.sendmsg("hangup", [("hangup-cause", bad)]),
        lambda: commands.event("plain", [bad]),
        lambda: commands.nixevent([bad]),
        lambda: commands.myevents(bad),
        lambda: commands.filter_add("Unique-ID", bad),
        lambda: commands.filter_delete("Unique-ID", bad),
    ]
    for call in calls:
        with pytest.raises(EslCommandError) as info:
            call()
        assert info.value.value == bad
        assert info.value.error_id == "esl-invalid-command-argument"


def test_words_that_must_be_single_tokens_reject_spaces_and_empty_values():
    with pytest.raises(EslCommandError):
        commands.api("uuid_kill u-1")
    with pytest.raises(EslCommandError):
        commands.auth("")
    with pytest.raises(EslCommandError):
        commands.sendmsg("hangup", [("bad: name", "x")])
    with pytest.raises(EslCommandError):
        commands.linger(0)
