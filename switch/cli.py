"""``madoguchi switch ...`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO

from switch.esl.errors import EslProtocolError
from switch.esl.event import EslEvent
from switch.esl.frames import Frame, FrameReader

_CHUNK = 64 * 1024


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``switch`` command group."""
    p = sub.add_parser("switch", help="FreeSWITCH tools (Event Socket)")
    g = p.add_subparsers(dest="switch_command", required=True)
    d = g.add_parser("decode", help="decode raw ESL bytes into one JSON object per frame")
    d.add_argument("file", help="file of raw ESL bytes as FreeSWITCH sends them, or - for stdin")
    d.set_defaults(handler=_decode)


def frame_to_json(frame: Frame) -> dict[str, object]:
    """The JSON object printed for one frame."""
    event = EslEvent.from_frame(frame)
    if event is not None:
        body = event.body_text
    elif frame.body:
        body = frame.body.decode("utf-8", "replace")
    else:
        body = None
    return {
        "content_type": frame.content_type,
        "headers": frame.headers,
        "event": None if event is None else event.headers,
        "body": body,
    }


def decode_stream(stream: BinaryIO, out: BinaryIO, err: BinaryIO) -> int:
    """Decode ``stream`` to JSON lines on ``out``; report malformed input on ``err``."""
    reader = FrameReader()
    try:
        while chunk := stream.read(_CHUNK):
            try:
                frames = reader.feed(chunk)
            except EslProtocolError as exc:
                _write(out, exc.frames)
                raise
            _write(out, frames)
        reader.close()
    except EslProtocolError as exc:
        message = f"エラー: バイト位置 {exc.offset} で不正な ESL データ: {exc.reason}\n"
        err.write(message.encode("utf-8"))
        return 2
    return 0


def _write(out: BinaryIO, frames: list[Frame]) -> None:
    for frame in frames:
        obj = frame_to_json(frame)
        out.write(json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace") + b"\n")


def _decode(args: argparse.Namespace) -> int:
    out, err = sys.stdout.buffer, sys.stderr.buffer
    if args.file == "-":
        code = decode_stream(sys.stdin.buffer, out, err)
    else:
        try:
            stream = open(args.file, "rb")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            err.write(f"エラー: ファイルを開けません: {args.file}: {exc.strerror}\n".encode())
            return 1
        with stream:
            code = decode_stream(stream, out, err)
    out.flush()
    return code


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="madoguchi")
    register(_parser.add_subparsers(dest="command", required=True))
    _args = _parser.parse_args()
    sys.exit(_args.handler(_args))
