"""Browser fixtures for the desk tests: the demo server, and Chromium with fake media devices.

The Playwright driver is the session-wide one from tests/conftest.py (its sync API allows one
driver per thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from tests.webagent.browsing import VIEWPORT, NewContext
from tests.webagent.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webagent.conftest import demo_server as demo_server

MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def desk_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    b = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS
    )
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
