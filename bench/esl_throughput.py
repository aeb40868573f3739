"""Events per second through the production ESL client, fed by the stand-in in another process.

Usage: PYTHONPATH=. python bench/esl_throughput.py [--rates 2000,5000,10000,15000,20000]
       [--seconds 5] [--soak-rate 15000] [--soak-seconds 60]

The producer process runs the FreeSWITCH stand-in (inbound ESL listener). Its event builder
(switch.standin.core.Switch.fire) makes real-format CHANNEL_* events for simulated calls
(CREATE, STATE, CALLSTATE, ANSWER, EXECUTE, HANGUP, HANGUP_COMPLETE, DESTROY, ~100-170 headers
each, a Japanese caller name); they are pre-serialized as text/event-plain with an
Event-Sequence slot, and written to the subscribed listener at a paced rate (10 ms batches).

The consumer (this process) is the production EslClient (greenswitch reader on its gevent
thread, frames batched into asyncio) subscribed to ALL events, with one asyncio handler that
reads five fields (Event-Name, Unique-ID, Channel-Call-State, Caller-Caller-ID-Number,
Event-Sequence) and keeps a dict of channels. Measured per step: events handled, CPU seconds of
the consuming process (time.process_time: every thread), wall seconds, loss (count and
Event-Sequence gaps) and the client's own drop counter.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import platform
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from switch.connection.client import ClientConfig, EslClient
from switch.connection.events import SwitchEvent
from switch.esl.encode import event_frame

PASSWORD = "bench-ClueCon"  # noqa: S105 - the stand-in's password for this run only
SEQ_SLOT = b"Event-Sequence: "


# -- producer (stand-in process) ------------------------------------------------------------


async def build_templates(calls: int = 40) -> list[tuple[bytes, bytes]]:
    """Real-format CHANNEL_* events from the stand-in's builder, split around Event-Sequence."""
    from switch.standin.clock import Clock
    from switch.standin.core import Switch, SwitchConfig
    from switch.standin.events import FsEvent

    fired: list[FsEvent] = []
    sw = Switch(SwitchConfig(media_dir=Path(tempfile.gettempdir())), Clock())
    sw.listeners.append(fired.append)

    for n in range(calls):
        ch = sw.new_channel(
            direction="inbound",
            caller_name="山田 太郎",
            caller_number=f"090{n:08d}",
            destination="0339811111",
            name=f"sofia/external/090{n:08d}@203.0.113.10",
            network_addr="203.0.113.10",
        )
        sw.init(ch)
        sw.answer(ch)
        sw.fire(
            "CHANNEL_EXECUTE",
            ch,
            post=[("Application", "playback"), ("Application-Data", "ivr/ja/welcome.wav")],
        )
        sw.hangup(ch, "NORMAL_CLEARING")

    out: list[tuple[bytes, bytes]] = []
    for event in fired:
        if not event.name.startswith("CHANNEL_"):
            continue
        body = event.plain()
        start = body.index(SEQ_SLOT) + len(SEQ_SLOT)
        end = body.index(b"\n", start)
        out.append((body[:start], body[end:]))
    return out


def producer_main(pipe: mpc.Connection) -> None:
    """Run the stand-in; on ("run", rate, seconds, first_seq) emit events and report back."""
    from switch.standin import FreeSwitchStandIn

    async def main() -> None:
        fs = FreeSwitchStandIn(password=PASSWORD, heartbeat_interval=3600.0)
        await fs.start()
        templates = await build_templates()
        pipe.send(("port", fs.port))
        loop = asyncio.get_running_loop()
        while True:
            msg = await loop.run_in_executor(None, pipe.recv)
            if msg[0] == "stop":
                break
            _, rate, seconds, seq = msg
            listeners = [c for c in fs.server.connections if c.sub.fmt is not None]
            sent = 0
            total = int(rate * seconds)
            began = time.perf_counter()
            i = 0
            while sent < total:
                due = min(total, int((time.perf_counter() - began) * rate) + 1)
                if due > sent:
                    chunk = []
                    for _ in range(due - sent):
                        head, tail = templates[i % len(templates)]
                        i += 1
                        chunk.append(event_frame(head + str(seq).encode() + tail, "plain"))
                        seq += 1
                    data = b"".join(chunk)
                    for conn in listeners:
                        conn.send(data)
                        await conn.writer.drain()
                    sent = due
                await asyncio.sleep(0.01)
            pipe.send(("sent", sent, seq, time.perf_counter() - began))
        await fs.stop()

    asyncio.run(main())


# -- consumer (this process) -----------------------------------------------------------------


@dataclass
class Dispatcher:
    """The asyncio consumer: five fields per event, a dict of live channels, loss tracking."""

    channels: dict[str, tuple[str, str]] = field(default_factory=dict)
    handled: int = 0
    last_seq: int = 0
    gaps: int = 0
    out_of_order: int = 0
    waiting_for: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: SwitchEvent) -> None:
        name = event.name
        if not name.startswith("CHANNEL_"):
            return
        esl = event.esl
        uuid = esl.get("Unique-ID") or ""
        state = esl.get("Channel-Call-State") or ""
        number = esl.get("Caller-Caller-ID-Number") or ""
        seq = int(esl.get("Event-Sequence") or 0)
        if name == "CHANNEL_DESTROY":
            self.channels.pop(uuid, None)
        else:
            self.channels[uuid] = (state, number)
        if self.last_seq:
            if seq > self.last_seq + 1:
                self.gaps += seq - self.last_seq - 1
            elif seq <= self.last_seq:
                self.out_of_order += 1
        self.last_seq = seq
        self.handled += 1
        if seq >= self.waiting_for:
            self.reached.set()


@dataclass
class Step:
    """One measured rate."""

    rate: int
    seconds: float
    sent: int
    handled: int
    cpu_s: float
    wall_s: float
    gaps: int
    dropped: int

    @property
    def per_cpu_s(self) -> float:
        return self.handled / self.cpu_s if self.cpu_s else float("inf")

    @property
    def per_wall_s(self) -> float:
        return self.handled / self.wall_s if self.wall_s else 0.0

    def row(self) -> str:
        lost = self.sent - self.handled
        return (
            f"| {self.rate:,} | {self.seconds:g} | {self.sent:,} | {self.handled:,} | {lost} "
            f"| {self.gaps} | {self.dropped} | {self.cpu_s:.2f} | {self.per_cpu_s:,.0f} "
            f"| {self.per_wall_s:,.0f} | {self.cpu_s / self.wall_s:.0%} |"
        )


async def measure(
    pipe: mpc.Connection, client: EslClient, disp: Dispatcher, rate: int, seconds: float, seq: int
) -> tuple[Step, int]:
    loop = asyncio.get_running_loop()
    before = disp.handled
    gaps_before = disp.gaps
    dropped_before = client.metrics.events_dropped
    expected_last = seq + int(rate * seconds) - 1
    disp.waiting_for = expected_last
    disp.reached.clear()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    pipe.send(("run", rate, seconds, seq))
    _, sent, next_seq, _elapsed = await loop.run_in_executor(None, pipe.recv)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disp.reached.wait(), 30)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    step = Step(
        rate=rate,
        seconds=seconds,
        sent=sent,
        handled=disp.handled - before,
        cpu_s=cpu1 - cpu0,
        wall_s=wall1 - wall0,
        gaps=disp.gaps - gaps_before,
        dropped=client.metrics.events_dropped - dropped_before,
    )
    return step, next_seq


async def run(args: argparse.Namespace) -> list[Step]:
    ctx = mp.get_context("spawn")
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=producer_main, args=(theirs,), daemon=True)
    proc.start()
    loop = asyncio.get_running_loop()
    _, port = await loop.run_in_executor(None, ours.recv)
    client = EslClient(ClientConfig(host="127.0.0.1", port=port, password=PASSWORD))
    disp = Dispatcher()
    client.add_handler("*", disp)
    await client.start()
    await client.wait_connected(10)
    steps: list[Step] = []
    seq = 1
    try:
        plan = [(int(r), args.seconds) for r in args.rates.split(",") if r]
        if args.soak_seconds > 0:
            plan.append((args.soak_rate, args.soak_seconds))
        for rate, seconds in plan:
            step, seq = await measure(ours, client, disp, rate, seconds, seq)
            steps.append(step)
            print(step.row(), flush=True)
    finally:
        ours.send(("stop",))
        await client.stop()
        proc.join(10)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="2000,5000,10000,15000,20000")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--soak-rate", type=int, default=15000)
    parser.add_argument("--soak-seconds", type=float, default=60.0)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; producer in a separate process"
    )
    print(
        "| rate ev/s | s | sent | handled | lost | seq gaps | dropped | consumer CPU s "
        "| handled per CPU s | handled per wall s | CPU use |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
