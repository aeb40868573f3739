"""Browser fixtures for the desk tests: the demo server, and Chromium with fake media devices.

Playwright's sync API allows one driver per thread. When the other browser tests
(tests/webagent) already started theirs in this process, it is reused; otherwise this package
starts its own for the module and stops it afterwards, so either package may run first."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.webagent.browsing import VIEWPORT, NewContext
from tests.webagent.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webagent.conftest import demo_server as demo_server

MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def _running_driver() -> Playwright | None:
    loop = asyncio._get_running_loop()
    if loop is None:
        return None
    for obj in gc.get_objects():
        if isinstance(obj, Playwright) and obj._loop is loop:
            return obj
    return None


@pytest.fixture(scope="module")
def desk_browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    running = _running_driver()
    if running is not None:
        b = running.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            yield b
        finally:
            b.close()
        return
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def desk_context(desk_browser: Browser) -> Iterator[NewContext]:
    """Fresh, isolated browser contexts (one per simulated person), closed after the test."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        ctx = desk_browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
        ctx.set_default_timeout(10_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
