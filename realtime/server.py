"""Run the app under uvicorn; port 0 picks a free port, reported once listening."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from realtime.app import create_app
from realtime.settings import Settings


def serve(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    port_file: Path | None = None,
    banner: Sequence[str] = (),
) -> int:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host or settings.host,
        port=settings.port if port is None else port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    return asyncio.run(_run(server, port_file, banner))


async def _run(server: uvicorn.Server, port_file: Path | None, banner: Sequence[str]) -> int:
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            return 1
        await asyncio.sleep(0.05)
    sock = server.servers[0].sockets[0]
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    if port_file is not None:
        tmp = port_file.with_suffix(".tmp")
        tmp.write_text(url)
        tmp.replace(port_file)
    print(f"\n  Madoguchi 窓口 is running at {url}/\n", flush=True)
    for line in banner:
        print(f"  {line}", flush=True)
    await task
    return 0
