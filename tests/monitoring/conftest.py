from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from realtime import migrate
from realtime.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    migrate.upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine, expire_on_commit=False) as s:
        yield s
