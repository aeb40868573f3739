"""A migrated, seeded database file built once per test session; each test copies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime import migrate
from realtime.db import Database
from tests.callpath.harness import seed
from tests.support.app import make_settings


@pytest.fixture(scope="session")
def callpath_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template database: migrations, demo call-path configuration, FAQ, users."""
    folder = tmp_path_factory.mktemp("callpath-template")
    path = folder / "template.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    database = Database(url)
    try:
        seed(database, make_settings(folder, url))
    finally:
        database.dispose()
    return path
