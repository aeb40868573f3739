"""Fixtures of the end-to-end privacy test: the call-path template database and Dovecot."""

from __future__ import annotations

from tests.callpath.conftest import callpath_db  # noqa: F401 (a fixture, re-used)
from tests.inbox_intake.conftest import imap_server  # noqa: F401 (a fixture, re-used)
