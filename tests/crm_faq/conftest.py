"""Fixtures for the FAQ and departments tests: a migrated database and the committed CSVs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm.faq.search import FaqIndex, IndexDoc
from realtime import migrate
from realtime.db import Database

DATA = Path(__file__).resolve().parent / "data"
SHARED_FAQ = Path(__file__).resolve().parents[3] / "shared" / "data" / "faq"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A database at the current schema, on SQLite and on PostgreSQL."""
    migrate.upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database only (for tests whose backend does not matter)."""
    url = f"sqlite:///{tmp_path / 'faq.sqlite3'}"
    migrate.upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def small_faq() -> bytes:
    return (DATA / "faq_small.csv").read_bytes()


@pytest.fixture
def small_departments() -> bytes:
    return (DATA / "departments_small.csv").read_bytes()


def shared_file(name: str) -> Path:
    """A file from ../shared/data/faq, or skip when the shared folder is absent."""
    path = SHARED_FAQ / name
    if not path.is_file():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture(scope="session")
def small_index() -> FaqIndex:
    """The committed small FAQ as an index (no database)."""
    rows = csv.DictReader(io.StringIO((DATA / "faq_small.csv").read_text(encoding="utf-8")))
    return FaqIndex(
        IndexDoc(
            r["faq_id"], r["question"], r["answer"], r["category1"], r["category2"], r["keywords"]
        )
        for r in rows
    )
