"""The demo-server fixture of tests/webagent, for the WFM screen checks."""

from tests.webagent.conftest import demo_server

__all__ = ["demo_server"]
