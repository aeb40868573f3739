"""``madoguchi switch decode``: one JSON object per frame; malformed input exits 2."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from switch.cli import register
from switch.esl.encode import api_response, command_reply
from tests.switch.esl_captures import capture

REPO = Path(__file__).resolve().parents[2]
RUN = (
    "import argparse, sys\n"
    "from switch.cli import register\n"
    "p = argparse.ArgumentParser(prog='madoguchi')\n"
    "register(p.add_subparsers(dest='command', required=True))\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.handler(a))\n"
)


def _run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


def test_register_adds_the_switch_decode_command():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["switch", "decode", "-"])
    assert args.file == "-"
    assert callable(args.handler)


@pytest.mark.req("F-1.1.1")
def test_decode_prints_one_json_object_per_frame(tmp_path):
    path = tmp_path / "session.esl"
    path.write_bytes(capture("OUTBOUND_SESSION_STREAM_bridge__danbarua-NEventSocket.txt"))
    result = _run(["switch", "decode", str(path)])
    assert result.returncode == 0, result.stderr.decode()
    objects = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(objects) == 27
    connect = objects[0]
    assert connect["content_type"] == "command/reply"
    assert connect["event"]["Event-Name"] == "CHANNEL_DATA"
    assert connect["headers"]["Reply-Text"] == "+OK\n"
    events = [o for o in objects if o["content_type"] == "text/event-plain"]
    assert events[1]["event"]["Event-Name"] == "CHANNEL_ANSWER"
    assert events[1]["event"]["Caller-Caller-ID-Name"] == "Dan X-Lite"
    assert events[1]["headers"] == {"Content-Length": "6663", "Content-Type": "text/event-plain"}
    assert events[1]["body"] is None
    api = [o for o in objects if o["content_type"] == "api/response"]
    assert api[0] == {
        "content_type": "api/response",
        "headers": {"Content-Type": "api/response", "Content-Length": "4"},
        "event": None,
        "body": "+OK\n",
    }
    assert objects[-1]["body"].startswith("Disconnected, goodbye.")


@pytest.mark.req("F-1.1.1", "N-REL-1")
def test_decode_reads_stdin_and_reports_malformed_input_with_its_offset():
    good = command_reply("+OK") + api_response("+OK 完了\n")
    bad = b"Content-Type: api/response\nContent-Length: -5\n\n"
    result = _run(["switch", "decode", "-"], stdin=good + bad)
    assert result.returncode == 2
    lines = result.stdout.decode().splitlines()
    assert [json.loads(line)["content_type"] for line in lines] == ["command/reply", "api/response"]
    assert json.loads(lines[1])["body"] == "+OK 完了\n"
    stderr = result.stderr.decode()
    offset = len(good) + len(b"Content-Type: api/response\n")
    assert f"バイト位置 {offset} " in stderr
    assert "negative Content-Length" in stderr


def test_decode_reports_a_truncated_stream():
    result = _run(["switch", "decode", "-"], stdin=b"Content-Type: api/response\nContent-Le")
    assert result.returncode == 2
    assert "バイト位置 0" in result.stderr.decode()
    assert result.stdout == b""
