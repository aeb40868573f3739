"""Fixtures for the hub tests: a real uvicorn server on loopback, in this process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.realtime.live import bound_socket, uvicorn_in_thread
from tests.support.app import make_app, make_settings


@dataclass
class LiveServer:
    """A running server: its URL and the app object (for direct database reads)."""

    url: str
    app: Any


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose revocation sweep stays out of the way (events are checked per call)."""
    yield from _serve(tmp_path, sweep_seconds=300)


@pytest.fixture
def sweeping_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server that sweeps revoked sessions' sockets five times a second."""
    yield from _serve(tmp_path, sweep_seconds=0.2)


def _serve(tmp_path: Path, *, sweep_seconds: float) -> Iterator[LiveServer]:
    sock = bound_socket()
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    app = make_app(make_settings(tmp_path, public_url=url, socket_sweep_seconds=sweep_seconds))
    with uvicorn_in_thread(app, sock) as served:
        assert served == url
        yield LiveServer(url=url, app=app)
