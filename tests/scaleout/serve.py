"""One app process of a scale-out test: settings from the environment, the calendar fixed on an
ordinary weekday morning (so the lines are open whatever day the test runs), a free port written
to the file named by ``--port-file``."""

from __future__ import annotations

import argparse
import datetime as dt
import socket
from pathlib import Path
from typing import Any

import uvicorn

from realtime.app import create_app
from realtime.settings import load_settings

JST = dt.timezone(dt.timedelta(hours=9))
WEEKDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=JST)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    app: Any = create_app(load_settings())
    app.ctx.extras["callpath"].wall_clock = lambda: WEEKDAY_10AM
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", lifespan="on", ws="websockets-sansio", server_header=False
        )
    )
    target = Path(args.port_file)
    partial = target.with_suffix(".tmp")
    partial.write_text(f"http://127.0.0.1:{port}", encoding="ascii")
    partial.rename(target)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
