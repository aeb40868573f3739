"""Browser tests: a real `madoguchi demo` server in a subprocess, driven by Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from tests.webagent.browsing import REPO, VIEWPORT, DemoServer, NewContext

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 60.0


def _wait_for_port_file(proc: subprocess.Popen[bytes], port_file: Path, log_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if port_file.exists():
            return port_file.read_text(encoding="ascii").strip()
        if proc.poll() is not None:
            raise RuntimeError(
                f"madoguchi demo exited with {proc.returncode}:\n{log_path.read_text()}"
            )
        time.sleep(0.05)
    raise TimeoutError(
        f"madoguchi demo did not start in {START_TIMEOUT_S}s:\n{log_path.read_text()}"
    )


@contextlib.contextmanager
def running_demo(
    base: Path, **env_extra: str
) -> Iterator[tuple[DemoServer, subprocess.Popen[bytes]]]:
    """`python -m realtime.cli demo --port 0` from this checkout, data in ``base/data``, with
    only the given MADOGUCHI_* settings (the rest of the environment's are dropped)."""
    data_dir = base / "data"
    port_file = base / "url"
    log_path = base / "server.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MADOGUCHI_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(PYTHONPATH=str(REPO), MADOGUCHI_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.update(env_extra)
    command = [sys.executable, "-m", "realtime.cli", "demo", "--port", "0"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--port-file", str(port_file)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _wait_for_port_file(proc, port_file, log_path)
        yield DemoServer(url=url, data_dir=data_dir, log_path=log_path), proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo on a fresh data folder. Its stand-in runs as in `scripts/start`, but without
    scripted citizens calling at random: the screens under test must not change under the tests'
    feet."""
    with running_demo(tmp_path_factory.mktemp("demo"), MADOGUCHI_DEMO_TRAFFIC_PER_HOUR="0") as (
        server,
        _proc,
    ):
        yield server


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    b = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Fresh, isolated browser contexts (one per simulated person), closed after the test."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        ctx = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
        ctx.set_default_timeout(10_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
