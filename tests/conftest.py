"""Shared fixtures. Real servers (PostgreSQL, Redis) start once per session, on loopback."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from tests.support import servers
from tests.support.app import make_app, make_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with servers.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with servers.redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _fresh_pg_database(server_url: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on SQLite and once on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    server: str = request.getfixturevalue("postgres_server")
    return _fresh_pg_database(server)


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return make_app(make_settings(tmp_path))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver for every browser test (its sync API allows one per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


# --- traceability: record each test's requirement IDs and outcome -------------------------

_TRACE: dict[str, dict[str, Any]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = os.environ.get("MADOGUCHI_TRACE_FILE")
    if not path:
        return
    entry = _TRACE.setdefault(report.nodeid, {"outcome": "not-run", "reqs": []})
    if report.failed:
        entry["outcome"] = "failed"
    elif report.skipped and report.when in ("setup", "call"):
        entry["outcome"] = "skipped"
    elif report.passed and report.when == "call" and entry["outcome"] == "not-run":
        entry["outcome"] = "passed"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reqs = [rid for m in item.iter_markers("req") for rid in m.args]
        _TRACE.setdefault(item.nodeid, {"outcome": "not-run", "reqs": []})["reqs"] = reqs
    # Playwright's sync driver (session-wide, above) keeps an event loop running in the main
    # thread once it has started, and asyncio.run() refuses to start beside it: the tests that
    # use the driver run last, in their collected order, after every other test.
    browser = [i for i in items if "playwright_driver" in getattr(i, "fixturenames", ())]
    if browser:
        chosen = {id(i) for i in browser}
        items[:] = [i for i in items if id(i) not in chosen] + browser


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("MADOGUCHI_TRACE_FILE")
    if path and _TRACE:
        Path(path).write_text(json.dumps(_TRACE, ensure_ascii=False, indent=1))
