"""A live server (uvicorn on loopback) for the adherence push."""

from tests.realtime.conftest import live_server

__all__ = ["live_server"]
