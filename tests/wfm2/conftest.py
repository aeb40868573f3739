"""The browser fixtures of tests/webagent (demo server, Chromium) for the WFM screen checks."""

from tests.webagent.conftest import browser, demo_server, new_context, playwright_driver

__all__ = ["browser", "demo_server", "new_context", "playwright_driver"]
