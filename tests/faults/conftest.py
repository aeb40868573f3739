"""Fault-suite fixtures: the call-path template database and Dovecot of the other suites, and a
recorder whose rows ``bench/fault_table.py`` turns into the fault table."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.callpath.conftest import callpath_db  # noqa: F401 (a fixture, re-used)
from tests.faults.invariants import FaultRecord
from tests.inbox_intake.conftest import imap_server  # noqa: F401 (a fixture, re-used)

RESULTS_ENV = "MADOGUCHI_FAULT_RESULTS"
_ROWS: list[FaultRecord] = []


@pytest.fixture
def fault_record(request: pytest.FixtureRequest) -> Iterator[FaultRecord]:
    """The row of the fault table this test fills in (written at the end of the session)."""
    row = FaultRecord(test=request.node.nodeid)
    yield row
    _ROWS.append(row)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path and _ROWS:
        Path(path).write_text(
            json.dumps([r.as_dict() for r in _ROWS], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
