"""``madoguchi standin``: run the FreeSWITCH stand-in for the demo (never in production)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from switch.standin.script import FreeSwitchStandIn
from switch.standin.server import DEFAULT_PASSWORD


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``standin`` command."""
    p = sub.add_parser("standin", help="FreeSWITCH stand-in for tests and the demo")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8021)
    p.add_argument("--password", default=DEFAULT_PASSWORD)
    p.add_argument("--outbound", default="127.0.0.1:8084", help="the app's outbound socket")
    p.add_argument("--media-dir", default="standin-media")
    p.add_argument("--scale", type=float, default=1.0, help="real seconds per virtual second")
    p.add_argument("--agent", action="append", default=[], help="register an agent extension")
    p.add_argument("--serve-seconds", type=float, default=None, help="stop after N seconds")
    p.set_defaults(handler=_serve)


async def _run(args: argparse.Namespace) -> None:
    host, _, port = str(args.outbound).rpartition(":")
    fs = FreeSwitchStandIn(
        password=args.password,
        host=args.host,
        port=args.port,
        outbound=(host, int(port)) if host else None,
        scale=args.scale,
        media_dir=Path(args.media_dir),
    )
    await fs.start()
    for extension in args.agent:
        fs.register_agent(extension)
    print(f"FreeSWITCH stand-in listening on {args.host}:{fs.port}", flush=True)
    try:
        if args.serve_seconds is None:
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(args.serve_seconds)
    finally:
        await fs.stop()


def _serve(args: argparse.Namespace) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args()
    raise SystemExit(parsed.handler(parsed))
