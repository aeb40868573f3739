"""Browser fixtures for the settings screens: the demo server and Chromium come from
tests/webagent/conftest.py; one administrator's context is signed in once per module (a TOTP
code cannot be replayed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.webagent.browsing import VIEWPORT, DemoServer, sign_in
from tests.webagent.conftest import browser as browser
from tests.webagent.conftest import demo_server as demo_server
from tests.webagent.conftest import new_context as new_context


@pytest.fixture(scope="module")
def admin_context(browser: Browser, demo_server: DemoServer) -> Iterator[BrowserContext]:
    """The demo's system administrator, fully signed in (TOTP enrolled on first sign-in)."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    sign_in(page, demo_server, "admin")
    page.close()
    yield ctx
    ctx.close()
