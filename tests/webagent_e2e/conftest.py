"""Fixtures of the end-to-end desk tests: the server with the stand-in on a thread of its own
(tests/callpath), and Chromium with fake media devices (tests/webagent_desk)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.callpath.conftest import callpath_db as callpath_db
from tests.webagent_desk.conftest import desk_browser as desk_browser
from tests.webagent_desk.conftest import desk_context as desk_context
from tests.webagent_e2e.live import LiveServer, live_server

# An offer rings for 30 s of real time here (600 virtual s at the stand-in's 20x speed): a
# person in a browser, axe-core and screenshots take longer than the call-path tests' 1.5 s.
RING_S = 600.0


@pytest.fixture
def server(tmp_path: Path, callpath_db: Path) -> Iterator[LiveServer]:
    """A fresh server (its own copy of the seeded database) for one test."""
    with live_server(tmp_path, callpath_db, callpath_ring_timeout_s=RING_S) as running:
        yield running
