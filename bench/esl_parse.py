"""Micro-benchmark: CHANNEL_* event frames through FrameReader + EslEvent, 5 fields per event.

Usage: PYTHONPATH=. python bench/esl_parse.py [-n 20000] [--capture FILE]

Without --capture the frames are built with the encoder in the shape of a real CHANNEL_ANSWER
(about 170 headers, ~6 KB, SDP and SIP variables, a Japanese caller name). With --capture, a
recorded text/event-plain frame (e.g. shared/fixtures/esl/CHANNEL_ANSWER__danbarua-...) is
repeated instead ('#' comment lines are removed first).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from pathlib import Path

from switch.esl import EslEvent, FrameReader
from switch.esl.encode import event_frame, serialize_event

NAMES = ["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_HANGUP", "CHANNEL_STATE"]
SDP = (
    "v=0\r\no=- 13065030757513622 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\nm=audio 61270 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
)


def synthetic_frame(rng: random.Random) -> bytes:
    """One CHANNEL_* event frame shaped like a real FreeSWITCH 1.x event."""
    uid = str(uuid.UUID(int=rng.getrandbits(128)))
    number = f"03{rng.randrange(10**8):08d}"
    ts = 1_700_000_000_000_000 + rng.randrange(10**12)
    headers: list[tuple[str, str]] = [
        ("Event-Name", rng.choice(NAMES)),
        ("Core-UUID", "8694f653-55e0-42ed-98d8-4983e2b6d248"),
        ("FreeSWITCH-Hostname", "pbx01.city.example.lg.jp"),
        ("FreeSWITCH-Switchname", "pbx01"),
        ("FreeSWITCH-IPv4", "192.0.2.5"),
        ("FreeSWITCH-IPv6", "::1"),
        ("Event-Date-Local", "2026-01-27 09:12:38"),
        ("Event-Date-GMT", "Tue, 27 Jan 2026 00:12:38 GMT"),
        ("Event-Date-Timestamp", str(ts)),
        ("Event-Calling-File", "switch_channel.c"),
        ("Event-Calling-Function", "switch_channel_perform_mark_answered"),
        ("Event-Calling-Line-Number", "3539"),
        ("Event-Sequence", str(rng.randrange(10**6))),
        ("Channel-State", "CS_EXECUTE"),
        ("Channel-Call-State", "ACTIVE"),
        ("Channel-State-Number", "4"),
        ("Channel-Name", f"sofia/external/{number}@192.0.2.1"),
        ("Unique-ID", uid),
        ("Call-Direction", "inbound"),
        ("Answer-State", "answered"),
        ("Caller-Caller-ID-Name", "山田 太郎"),
        ("Caller-Caller-ID-Number", number),
        ("Caller-Destination-Number", "0312345000"),
        ("Caller-Unique-ID", uid),
        ("Caller-Context", "public"),
        ("Caller-Channel-Name", f"sofia/external/{number}@192.0.2.1"),
    ]
    for i in range(25):
        headers.append((f"Caller-Field-{i}", f"value {i}:{number}"))
    for i in range(110):
        headers.append((f"variable_sip_var_{i}", f"<sip:{number}@192.0.2.1:5060>;tag={i}"))
    headers.append(("variable_switch_r_sdp", SDP))
    return event_frame(serialize_event(headers))


def capture_frame(path: Path) -> bytes:
    """A recorded frame with its '#' comment lines removed."""
    raw = path.read_bytes()
    return b"".join(line for line in raw.splitlines(keepends=True) if not line.startswith(b"#"))


def run(stream: bytes, chunk: int) -> tuple[int, float, float]:
    """Parse the stream; return (events, wall seconds, CPU seconds of this process)."""
    reader = FrameReader()
    count = 0
    sink = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for pos in range(0, len(stream), chunk):
        for frame in reader.feed(stream[pos : pos + chunk]):
            event = EslEvent.from_frame(frame)
            if event is None:
                continue
            fields = (
                event.name,
                event.unique_id,
                event.caller_id_name,
                event.caller_id_number,
                event.answer_state,
            )
            sink += sum(len(f or "") for f in fields)
            count += 1
    reader.close()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    assert sink > 0
    return count, elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20000, help="number of events")
    parser.add_argument("--capture", type=Path, help="repeat this recorded frame instead")
    parser.add_argument("--chunk", type=int, default=65536, help="bytes per feed() call")
    args = parser.parse_args()
    rng = random.Random(1)
    if args.capture:
        frames = [capture_frame(args.capture)] * args.n
    else:
        pool = [synthetic_frame(rng) for _ in range(min(args.n, 500))]
        frames = [pool[i % len(pool)] for i in range(args.n)]
    stream = b"".join(frames)
    count, elapsed, cpu = run(stream, args.chunk)
    avg = len(stream) // max(count, 1)
    print(
        f"{count} events, {avg} bytes each: {count / cpu:,.0f} events/s per CPU second "
        f"({cpu:.3f} s CPU), {count / elapsed:,.0f} events/s wall ({elapsed:.3f} s)"
    )


if __name__ == "__main__":
    main()
